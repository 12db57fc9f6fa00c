//! The risk method of clause 6.1.2: the scales a risk is rated on, the level each rating
//! lands in, and what each level demands (who may accept it, how often it is reviewed, how
//! soon it must be treated).
//!
//! A method is published as immutable, numbered versions. An assessment names the version
//! it used, so a rating made under last year's matrix keeps the meaning it had then; moving
//! risks to a new version is an explicit re-rating ([`ReRating`]), never a silent rescore.
//!
//! The level grid is a lookup table rather than likelihood × impact, so an organisation
//! whose appetite is asymmetric (a rare but catastrophic event is "high", a frequent trivial
//! one "low") writes exactly the matrix it means.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::text::{self, Lines, NAME_MAX};

/// The fewest and most points a scale may have.
pub const SCALE_POINTS: std::ops::RangeInclusive<usize> = 2..=10;
/// The fewest and most levels a method may have.
pub const LEVELS: std::ops::RangeInclusive<usize> = 2..=8;
/// The longest review interval a level may set: three years, an audit cycle.
pub const MAX_REVIEW_DAYS: u32 = 1095;

/// One point of a likelihood or impact scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScalePoint {
    /// The number an assessment records (ascending along the scale).
    pub value: u8,
    /// What people call it: "Rare", "Likely".
    pub label: String,
    /// What it means per criterion, e.g. `{"financial": "over €1M"}`.
    #[serde(default)]
    pub descriptors: BTreeMap<String, String>,
}

/// Who may accept a risk left at a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Authority {
    /// Within appetite: accepted by the method itself, no decision needed.
    Automatic,
    /// The risk's owner (or top management) accepts it.
    RiskOwner,
    /// Only top management accepts it.
    TopManagement,
    /// Nobody may accept it: it must be treated.
    NotAcceptable,
}

impl Authority {
    /// The word the API and forms use.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Automatic => "automatic",
            Self::RiskOwner => "risk_owner",
            Self::TopManagement => "top_management",
            Self::NotAcceptable => "not_acceptable",
        }
    }

    /// Whether a risk at this level needs a decision or a treatment: above the threshold.
    #[must_use]
    pub const fn above_threshold(self) -> bool {
        !matches!(self, Self::Automatic)
    }
}

impl std::str::FromStr for Authority {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::Automatic,
            Self::RiskOwner,
            Self::TopManagement,
            Self::NotAcceptable,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
        .ok_or_else(|| {
            "authority is one of automatic, risk_owner, top_management, not_acceptable".to_owned()
        })
    }
}

/// One output level and its machine-readable acceptance criteria.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Stable key the grid refers to: `low`, `very_high`.
    pub key: String,
    /// What people call it.
    pub label: String,
    /// Who may accept a risk left at this level.
    pub authority: Authority,
    /// A risk at this level is reassessed within this many days.
    pub review_days: u32,
    /// A risk at this level is treated within this many days of its assessment; required
    /// when it may not be accepted.
    #[serde(default)]
    pub treat_days: Option<u32>,
}

/// A method as drafted: what a publisher sends. [`MethodDraft::validate`] turns it into a
/// [`Method`], or names every field that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodDraft {
    /// Its name, e.g. "Northwind 5×5".
    pub name: String,
    /// Likelihood scale, lowest first.
    pub likelihood: Vec<ScalePoint>,
    /// Impact scale, lowest first.
    pub impact: Vec<ScalePoint>,
    /// Levels, lowest first.
    pub levels: Vec<Level>,
    /// `grid[l][i]`: the level key for the `l`-th likelihood point and the `i`-th impact point.
    pub grid: Vec<Vec<String>>,
    /// The register is reassessed (a risk-assessment run, 8.2) at least this often.
    pub assessment_interval_days: u32,
}

/// A checked method: every rating it accepts lands in exactly one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Method {
    draft: MethodDraft,
}

/// A likelihood and an impact, as numbers of a method's scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rating {
    /// A likelihood scale value.
    pub likelihood: u8,
    /// An impact scale value.
    pub impact: u8,
}

impl MethodDraft {
    /// Checks the draft as a whole.
    ///
    /// # Errors
    /// Every problem, each naming its field (`likelihood[2].value`, `grid[1][3]`).
    pub fn validate(self) -> Result<Method, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = e.check(text::required("name", &self.name, NAME_MAX, Lines::One));
        check_scale(&mut e, "likelihood", &self.likelihood);
        check_scale(&mut e, "impact", &self.impact);
        check_levels(&mut e, &self.levels);
        if e.errors.is_empty() {
            check_grid(&mut e, &self);
        }
        if !(1..=MAX_REVIEW_DAYS).contains(&self.assessment_interval_days) {
            e.push(
                "assessment_interval_days",
                format!("the register is reassessed every 1 to {MAX_REVIEW_DAYS} days"),
            );
        }
        e.into_result(|| Method {
            draft: Self {
                name: name.unwrap_or_default(),
                ..self
            },
        })
    }
}

fn check_scale(e: &mut ValidationErrors, field: &str, points: &[ScalePoint]) {
    if !SCALE_POINTS.contains(&points.len()) {
        e.push(
            field,
            format!(
                "a scale has {} to {} points ({} were given)",
                SCALE_POINTS.start(),
                SCALE_POINTS.end(),
                points.len()
            ),
        );
        return;
    }
    let mut labels = HashSet::new();
    for (n, p) in points.iter().enumerate() {
        if p.value == 0 {
            e.push(&format!("{field}[{n}].value"), "scale values start at 1");
        }
        if n > 0 && p.value <= points[n - 1].value {
            e.push(
                &format!("{field}[{n}].value"),
                format!(
                    "values rise along the scale: {} follows {}",
                    p.value,
                    points[n - 1].value
                ),
            );
        }
        let label = e.check(text::required(
            &format!("{field}[{n}].label"),
            &p.label,
            NAME_MAX,
            Lines::One,
        ));
        if let Some(l) = label
            && !labels.insert(l.to_lowercase())
        {
            e.push(
                &format!("{field}[{n}].label"),
                format!("\"{l}\" is already a point of this scale"),
            );
        }
        for (criterion, text) in &p.descriptors {
            let at = format!("{field}[{n}].descriptors.{criterion}");
            e.check(text::required(&at, criterion, NAME_MAX, Lines::One));
            e.check(text::check(&at, text, text::LONG_MAX, Lines::Many));
        }
    }
}

fn check_levels(e: &mut ValidationErrors, levels: &[Level]) {
    if !LEVELS.contains(&levels.len()) {
        e.push(
            "levels",
            format!(
                "a method has {} to {} levels ({} were given)",
                LEVELS.start(),
                LEVELS.end(),
                levels.len()
            ),
        );
        return;
    }
    let mut keys = HashSet::new();
    for (n, l) in levels.iter().enumerate() {
        let at = |f: &str| format!("levels[{n}].{f}");
        let key_ok = !l.key.is_empty()
            && l.key.len() <= 40
            && l.key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            e.push(
                &at("key"),
                "a level key is 1 to 40 lower-case letters, digits or underscores, e.g. very_high",
            );
        } else if !keys.insert(l.key.as_str()) {
            e.push(&at("key"), format!("\"{}\" is already a level", l.key));
        }
        e.check(text::required(&at("label"), &l.label, NAME_MAX, Lines::One));
        if !(1..=MAX_REVIEW_DAYS).contains(&l.review_days) {
            e.push(
                &at("review_days"),
                format!("a risk is reviewed every 1 to {MAX_REVIEW_DAYS} days"),
            );
        }
        match l.treat_days {
            Some(d) if !(1..=MAX_REVIEW_DAYS).contains(&d) => e.push(
                &at("treat_days"),
                format!("treatment is due within 1 to {MAX_REVIEW_DAYS} days"),
            ),
            None if l.authority == Authority::NotAcceptable => e.push(
                &at("treat_days"),
                "a level nobody may accept says within how many days it is treated",
            ),
            _ => {}
        }
        if n > 0 && l.authority < levels[n - 1].authority {
            e.push(
                &at("authority"),
                format!(
                    "levels are listed lowest first, so a higher level needs at least the authority of the one below ({})",
                    levels[n - 1].authority.as_str()
                ),
            );
        }
    }
}

fn check_grid(e: &mut ValidationErrors, d: &MethodDraft) {
    let rank: BTreeMap<&str, usize> = d
        .levels
        .iter()
        .enumerate()
        .map(|(n, l)| (l.key.as_str(), n))
        .collect();
    if d.grid.len() != d.likelihood.len() {
        e.push(
            "grid",
            format!(
                "the grid has one row per likelihood point: {} rows, not {}",
                d.likelihood.len(),
                d.grid.len()
            ),
        );
        return;
    }
    let mut ranks = vec![vec![0usize; d.impact.len()]; d.likelihood.len()];
    for (l, row) in d.grid.iter().enumerate() {
        if row.len() != d.impact.len() {
            e.push(
                &format!("grid[{l}]"),
                format!(
                    "each row has one cell per impact point: {} cells, not {}",
                    d.impact.len(),
                    row.len()
                ),
            );
            continue;
        }
        for (i, key) in row.iter().enumerate() {
            match rank.get(key.as_str()) {
                Some(&r) => ranks[l][i] = r,
                None => e.push(
                    &format!("grid[{l}][{i}]"),
                    format!("\"{key}\" is not one of the method's levels"),
                ),
            }
        }
    }
    if !e.errors.is_empty() {
        return;
    }
    // More likely or worse never means less risk: a matrix that says so is a typo.
    for l in 0..ranks.len() {
        for i in 0..ranks[l].len() {
            let lower_l = l > 0 && ranks[l][i] < ranks[l - 1][i];
            let lower_i = i > 0 && ranks[l][i] < ranks[l][i - 1];
            if lower_l || lower_i {
                e.push(
                    &format!("grid[{l}][{i}]"),
                    format!(
                        "\"{}\" is lower than a cell of less likelihood or impact; levels never fall as likelihood or impact rises",
                        d.grid[l][i]
                    ),
                );
            }
        }
    }
}

impl MethodDraft {
    /// The method Holdfast proposes to start from: 5×5, four levels, the usual appetite
    /// (low accepted by the method, medium by the risk owner, high by top management, very
    /// high not acceptable), the register reassessed yearly.
    #[must_use]
    pub fn five_by_five() -> Self {
        let scale = |labels: [(&str, &str); 5], criterion: &str| -> Vec<ScalePoint> {
            labels
                .iter()
                .zip(1u8..)
                .map(|((label, means), value)| ScalePoint {
                    value,
                    label: (*label).to_owned(),
                    descriptors: [(criterion.to_owned(), (*means).to_owned())].into(),
                })
                .collect()
        };
        let level = |key: &str, label: &str, authority, review_days, treat_days| Level {
            key: key.to_owned(),
            label: label.to_owned(),
            authority,
            review_days,
            treat_days,
        };
        // Rows: likelihood 1..5; columns: impact 1..5.
        let grid = [
            ["low", "low", "low", "medium", "medium"],
            ["low", "low", "medium", "medium", "high"],
            ["low", "medium", "medium", "high", "high"],
            ["medium", "medium", "high", "high", "very_high"],
            ["medium", "high", "high", "very_high", "very_high"],
        ];
        Self {
            name: "5×5 likelihood and impact".to_owned(),
            likelihood: scale(
                [
                    ("Rare", "less than once in ten years"),
                    ("Unlikely", "once in five to ten years"),
                    ("Possible", "once in one to five years"),
                    ("Likely", "several times a year"),
                    ("Almost certain", "monthly or more often"),
                ],
                "frequency",
            ),
            impact: scale(
                [
                    ("Negligible", "no customer notices; under €10k"),
                    ("Minor", "a few customers affected; €10k to €100k"),
                    (
                        "Moderate",
                        "a reportable breach or a day's outage; €100k to €500k",
                    ),
                    ("Major", "regulator action or a week's outage; €500k to €2M"),
                    ("Severe", "the business is threatened; over €2M"),
                ],
                "consequence",
            ),
            levels: vec![
                level("low", "Low", Authority::Automatic, 365, None),
                level("medium", "Medium", Authority::RiskOwner, 365, Some(180)),
                level("high", "High", Authority::TopManagement, 180, Some(90)),
                level(
                    "very_high",
                    "Very high",
                    Authority::NotAcceptable,
                    90,
                    Some(30),
                ),
            ],
            grid: grid
                .iter()
                .map(|row| row.iter().map(|k| (*k).to_owned()).collect())
                .collect(),
            assessment_interval_days: 365,
        }
    }
}

impl Method {
    /// The method as drafted (for storing and showing).
    #[must_use]
    pub const fn draft(&self) -> &MethodDraft {
        &self.draft
    }

    /// The review interval of the whole register.
    #[must_use]
    pub const fn assessment_interval_days(&self) -> u32 {
        self.draft.assessment_interval_days
    }

    /// The levels, lowest first.
    #[must_use]
    pub fn levels(&self) -> &[Level] {
        &self.draft.levels
    }

    /// A level by key.
    #[must_use]
    pub fn level_by_key(&self, key: &str) -> Option<&Level> {
        self.draft.levels.iter().find(|l| l.key == key)
    }

    /// The position of a level, lowest 0, for ordering.
    #[must_use]
    pub fn rank(&self, key: &str) -> Option<usize> {
        self.draft.levels.iter().position(|l| l.key == key)
    }

    /// Checks a rating against the scales.
    ///
    /// # Errors
    /// A message for `{field}.likelihood` or `{field}.impact` listing the allowed values.
    pub fn check(&self, field: &str, r: Rating) -> Result<Rating, ValidationErrors> {
        let mut e = ValidationErrors::default();
        for (name, value, scale) in [
            ("likelihood", r.likelihood, &self.draft.likelihood),
            ("impact", r.impact, &self.draft.impact),
        ] {
            if !scale.iter().any(|p| p.value == value) {
                let allowed: Vec<String> = scale.iter().map(|p| p.value.to_string()).collect();
                e.push(
                    &format!("{field}.{name}"),
                    format!(
                        "{value} is not on the method's {name} scale; use one of {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
        e.into_result(|| r)
    }

    /// The level a rating lands in, `None` when the rating is off the scales.
    #[must_use]
    pub fn level(&self, r: Rating) -> Option<&Level> {
        let l = self
            .draft
            .likelihood
            .iter()
            .position(|p| p.value == r.likelihood)?;
        let i = self.draft.impact.iter().position(|p| p.value == r.impact)?;
        let key = self.draft.grid.get(l)?.get(i)?;
        self.level_by_key(key)
    }

    /// The scale values, lowest first: likelihood then impact.
    #[must_use]
    pub fn scale_values(&self) -> (Vec<u8>, Vec<u8>) {
        (
            self.draft.likelihood.iter().map(|p| p.value).collect(),
            self.draft.impact.iter().map(|p| p.value).collect(),
        )
    }

    /// The likelihood scale, lowest first.
    #[must_use]
    pub fn likelihood(&self) -> &[ScalePoint] {
        &self.draft.likelihood
    }

    /// The impact scale, lowest first.
    #[must_use]
    pub fn impact(&self) -> &[ScalePoint] {
        &self.draft.impact
    }
}

/// How ratings under one version become ratings under the next: each likelihood and each
/// impact value of the old scales maps to a value of the new ones. Applied to every risk of
/// the register, and recorded as a new assessment per risk naming both versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReRating {
    /// Old likelihood value → new likelihood value.
    pub likelihood: BTreeMap<u8, u8>,
    /// Old impact value → new impact value.
    pub impact: BTreeMap<u8, u8>,
}

impl ReRating {
    /// Value for value, for versions whose scales are the same: only the grid or the
    /// acceptance criteria changed.
    ///
    /// # Errors
    /// A message when the scales differ, so the mapping must be spelled out.
    pub fn identity(from: &Method, to: &Method) -> Result<Self, ValidationErrors> {
        if from.scale_values() != to.scale_values() {
            return Err(ValidationErrors::one(
                "mapping",
                "the new version's scales differ from the old one's; say which new value each old likelihood and impact value becomes",
            ));
        }
        let (l, i) = from.scale_values();
        Ok(Self {
            likelihood: l.iter().map(|v| (*v, *v)).collect(),
            impact: i.iter().map(|v| (*v, *v)).collect(),
        })
    }

    /// Checks that every old value is mapped, onto a value of the new scales.
    ///
    /// # Errors
    /// Each unmapped old value and each target off the new scales.
    pub fn check(&self, from: &Method, to: &Method) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let (old_l, old_i) = from.scale_values();
        let (new_l, new_i) = to.scale_values();
        for (name, map, old, new) in [
            ("likelihood", &self.likelihood, old_l, new_l),
            ("impact", &self.impact, old_i, new_i),
        ] {
            for v in &old {
                match map.get(v) {
                    None => e.push(
                        &format!("mapping.{name}.{v}"),
                        format!("say which new {name} value the old value {v} becomes"),
                    ),
                    Some(t) if !new.contains(t) => e.push(
                        &format!("mapping.{name}.{v}"),
                        format!("{t} is not on the new {name} scale"),
                    ),
                    Some(_) => {}
                }
            }
            for v in map.keys() {
                if !old.contains(v) {
                    e.push(
                        &format!("mapping.{name}.{v}"),
                        format!("{v} is not on the old {name} scale"),
                    );
                }
            }
        }
        e.into_result(|| ())
    }

    /// The rating a checked mapping gives; an unmapped value stays as it is.
    #[must_use]
    pub fn apply(&self, r: Rating) -> Rating {
        Rating {
            likelihood: self
                .likelihood
                .get(&r.likelihood)
                .copied()
                .unwrap_or(r.likelihood),
            impact: self.impact.get(&r.impact).copied().unwrap_or(r.impact),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn points(labels: &[&str]) -> Vec<ScalePoint> {
        labels
            .iter()
            .zip(1u8..)
            .map(|(l, v)| ScalePoint {
                value: v,
                label: (*l).to_owned(),
                descriptors: BTreeMap::new(),
            })
            .collect()
    }

    fn level(key: &str, authority: Authority, review_days: u32) -> Level {
        Level {
            key: key.to_owned(),
            label: key.replace('_', " "),
            authority,
            review_days,
            treat_days: (authority == Authority::NotAcceptable).then_some(30),
        }
    }

    /// A 3×3 method whose appetite is asymmetric: a rare catastrophe is already high.
    pub(crate) fn draft3() -> MethodDraft {
        MethodDraft {
            name: "Three by three".into(),
            likelihood: points(&["Rare", "Possible", "Likely"]),
            impact: points(&["Minor", "Serious", "Catastrophic"]),
            levels: vec![
                level("low", Authority::Automatic, 365),
                level("medium", Authority::RiskOwner, 180),
                level("high", Authority::TopManagement, 90),
                level("extreme", Authority::NotAcceptable, 30),
            ],
            grid: vec![
                vec!["low".into(), "low".into(), "high".into()],
                vec!["low".into(), "medium".into(), "high".into()],
                vec!["medium".into(), "high".into(), "extreme".into()],
            ],
            assessment_interval_days: 365,
        }
    }

    #[test]
    fn the_proposed_five_by_five_is_a_valid_method() {
        let m = MethodDraft::five_by_five().validate().expect("valid");
        let at = |likelihood, impact| m.level(Rating { likelihood, impact }).map(|l| l.authority);
        assert_eq!(at(1, 1), Some(Authority::Automatic));
        assert_eq!(at(5, 5), Some(Authority::NotAcceptable));
        assert_eq!(at(3, 4), Some(Authority::TopManagement));
    }

    #[test]
    fn the_grid_is_a_lookup_not_a_product() {
        let m = draft3().validate().expect("valid");
        let at = |likelihood, impact| {
            m.level(Rating { likelihood, impact })
                .map(|l| l.key.as_str())
        };
        // 1×3 = 3 and 3×1 = 3, yet they land in different levels.
        assert_eq!(at(1, 3), Some("high"));
        assert_eq!(at(3, 1), Some("medium"));
        assert_eq!(at(3, 3), Some("extreme"));
        assert_eq!(at(1, 1), Some("low"));
        assert_eq!(at(4, 1), None, "off the scale");
    }

    #[test]
    fn a_rating_off_the_scales_names_the_field_and_the_allowed_values() {
        let m = draft3().validate().expect("valid");
        let e = m
            .check(
                "current",
                Rating {
                    likelihood: 0,
                    impact: 9,
                },
            )
            .expect_err("off scale");
        let fields: Vec<_> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["current.likelihood", "current.impact"]);
        assert!(e.errors[1].message.contains("1, 2, 3"), "{e}");
        assert!(
            m.check(
                "current",
                Rating {
                    likelihood: 2,
                    impact: 3
                }
            )
            .is_ok()
        );
    }

    #[test]
    fn a_grid_that_falls_as_likelihood_rises_is_refused() {
        let mut d = draft3();
        d.grid[2][0] = "low".into();
        d.grid[1][2] = "medium".into();
        let e = d.validate().expect_err("falls");
        let fields: Vec<_> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert!(fields.contains(&"grid[1][2]"), "{e}");
    }

    #[test]
    fn a_grid_of_the_wrong_shape_or_unknown_level_is_refused() {
        let mut d = draft3();
        d.grid[1].pop();
        d.grid[2][2] = "catastrophic".into();
        let e = d.validate().expect_err("shape");
        let fields: Vec<_> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["grid[1]", "grid[2][2]"]);
        let mut d = draft3();
        d.grid.pop();
        assert_eq!(d.validate().expect_err("rows").errors[0].field, "grid");
    }

    #[test]
    fn scales_rise_and_levels_name_their_authority_in_order() {
        let mut d = draft3();
        d.likelihood[1].value = 1;
        d.impact[0].label = " ".into();
        d.levels[2].authority = Authority::Automatic;
        d.levels[3].treat_days = None;
        d.levels[0].key = "Low".into();
        let e = d.validate().expect_err("bad");
        let fields: Vec<_> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "likelihood[1].value",
                "impact[0].label",
                "levels[0].key",
                "levels[2].authority",
                "levels[3].treat_days",
            ],
            "{e}"
        );
    }

    #[test]
    fn a_scale_of_one_point_and_a_method_of_one_level_are_refused() {
        let mut d = draft3();
        d.likelihood.truncate(1);
        d.levels.truncate(1);
        d.assessment_interval_days = 0;
        let e = d.validate().expect_err("small");
        let fields: Vec<_> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["likelihood", "levels", "assessment_interval_days"]);
    }

    #[test]
    fn re_rating_maps_every_old_value_onto_the_new_scales() {
        let old = draft3().validate().expect("valid");
        let mut wider = draft3();
        wider.likelihood = points(&["Rare", "Unlikely", "Possible", "Likely"]);
        wider.grid.insert(1, wider.grid[0].clone());
        let new = wider.validate().expect("valid");
        assert!(
            ReRating::identity(&old, &new).is_err(),
            "scales differ: spell it out"
        );
        let mapping = ReRating {
            likelihood: [(1, 1), (2, 3), (3, 4)].into(),
            impact: [(1, 1), (2, 2)].into(),
        };
        let e = mapping.check(&old, &new).expect_err("impact 3 unmapped");
        assert_eq!(e.errors[0].field, "mapping.impact.3");
        let mut mapping = mapping;
        mapping.impact.insert(3, 3);
        mapping.check(&old, &new).expect("complete");
        let r = mapping.apply(Rating {
            likelihood: 2,
            impact: 3,
        });
        assert_eq!(
            r,
            Rating {
                likelihood: 3,
                impact: 3
            }
        );
        assert_eq!(new.level(r).map(|l| l.key.as_str()), Some("high"));
        mapping.likelihood.insert(9, 1);
        assert_eq!(
            mapping.check(&old, &new).expect_err("extra").errors[0].field,
            "mapping.likelihood.9"
        );
    }

    #[test]
    fn identical_scales_re_rate_value_for_value() {
        let old = draft3().validate().expect("valid");
        let mut stricter = draft3();
        stricter.grid[0][1] = "medium".into();
        let new = stricter.validate().expect("valid");
        let m = ReRating::identity(&old, &new).expect("same scales");
        let r = Rating {
            likelihood: 1,
            impact: 2,
        };
        assert_eq!(m.apply(r), r);
        assert_eq!(old.level(r).map(|l| l.key.as_str()), Some("low"));
        assert_eq!(new.level(r).map(|l| l.key.as_str()), Some("medium"));
    }
}
