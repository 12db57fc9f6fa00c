//! A realistic sample organisation for `holdfast demo`: people in departments with managers,
//! a few leaving or gone. Deterministic for a given seed, so benchmarks and screenshots can
//! be repeated.

use chrono::NaiveDate;

use crate::person::EmploymentStatus;

/// A small, fast, seedable generator (SplitMix64). Demo data needs variety, not secrecy.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % (n.max(1) as u64)).unwrap_or(0)
    }
}

const FIRST: &[&str] = &[
    "Amara", "Ben", "Chen", "Dana", "Elif", "Farah", "Gareth", "Hana", "Idris", "Julia", "Kofi",
    "Lena", "Mateo", "Nadia", "Oscar", "Priya", "Quinn", "Rosa", "Sami", "Tomas", "Uma", "Viktor",
    "Wen", "Ximena", "Yusuf", "Zoe", "Aisha", "Bruno", "Clara", "Dmitri", "Esther", "Felix",
    "Grace", "Hugo", "Ines", "Jonas", "Keira", "Luca", "Maya", "Nils",
];
const LAST: &[&str] = &[
    "Adeyemi",
    "Baker",
    "Castillo",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Quinlan",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Umar",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zimmermann",
    "Ahmed",
    "Byrne",
    "Costa",
    "Dvorak",
    "Eriksen",
    "Fontaine",
    "Gupta",
    "Horvat",
    "Ibrahim",
    "Kelly",
    "Lindqvist",
    "Murphy",
    "Novak",
    "Olsen",
];

/// Departments and their share of the organisation, in per mille. Management is the top.
pub const DEPARTMENTS: &[(&str, usize)] = &[
    ("Management", 40),
    ("HR", 80),
    ("IT", 120),
    ("Finance", 100),
    ("Engineering", 400),
    ("Sales", 260),
];

/// One generated person. `manager` is the index of an earlier person in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPerson {
    /// Full name.
    pub name: String,
    /// Work email, unique within the organisation.
    pub email: String,
    /// Department.
    pub department: &'static str,
    /// Index of their manager in the generated list; `None` only for the chief executive.
    pub manager: Option<usize>,
    /// Lifecycle state.
    pub status: EmploymentStatus,
    /// First working day.
    pub start_date: NaiveDate,
    /// Last working day, for those leaving or gone.
    pub end_date: Option<NaiveDate>,
}

/// Generates `count` people (at least one per department plus a chief executive) with
/// managers always listed before their reports, relative to `today`.
#[must_use]
pub fn organisation(count: usize, seed: u64, today: NaiveDate, domain: &str) -> Vec<DemoPerson> {
    let mut rng = SplitMix64::new(seed);
    let count = count.max(DEPARTMENTS.len() + 1);
    let mut people: Vec<DemoPerson> = Vec::with_capacity(count);
    let person = |rng: &mut SplitMix64,
                  i: usize,
                  department: &'static str,
                  manager: Option<usize>| {
        let first = FIRST[rng.below(FIRST.len())];
        let last = LAST[rng.below(LAST.len())];
        let days_ago = i64::try_from(30 + rng.below(3650)).unwrap_or(30);
        let start = today - chrono::Duration::days(days_ago);
        let roll = rng.below(100);
        let (status, end) = match roll {
            0..=2 if manager.is_some() => (
                EmploymentStatus::Leaving,
                Some(today + chrono::Duration::days(i64::try_from(7 + rng.below(40)).unwrap_or(7))),
            ),
            3..=6 if manager.is_some() => (
                EmploymentStatus::Left,
                Some(today - chrono::Duration::days(i64::try_from(1 + rng.below(25)).unwrap_or(1))),
            ),
            _ => (EmploymentStatus::Active, None),
        };
        DemoPerson {
            name: format!("{first} {last}"),
            email: format!(
                "{}.{}.{i}@{domain}",
                first.to_lowercase(),
                last.to_lowercase()
            ),
            department,
            manager,
            status,
            start_date: start.min(end.unwrap_or(start)),
            end_date: end,
        }
    };
    // The chief executive, then one head per department reporting to them.
    people.push(person(&mut rng, 0, "Management", None));
    let heads: Vec<usize> = (0..DEPARTMENTS.len())
        .map(|d| {
            let mut head = person(&mut rng, people.len(), DEPARTMENTS[d].0, Some(0));
            head.status = EmploymentStatus::Active;
            head.end_date = None;
            people.push(head);
            people.len() - 1
        })
        .collect();
    while people.len() < count {
        let pick = rng.below(1000);
        let mut acc = 0;
        let d = DEPARTMENTS
            .iter()
            .position(|(_, share)| {
                acc += share;
                pick < acc
            })
            .unwrap_or(DEPARTMENTS.len() - 1);
        let i = people.len();
        people.push(person(&mut rng, i, DEPARTMENTS[d].0, Some(heads[d])));
    }
    people
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        "2026-12-01".parse().expect("date")
    }

    #[test]
    fn the_same_seed_gives_the_same_organisation() {
        assert_eq!(
            organisation(120, 7, today(), "example.com"),
            organisation(120, 7, today(), "example.com")
        );
        assert_ne!(
            organisation(120, 7, today(), "example.com"),
            organisation(120, 8, today(), "example.com")
        );
    }

    #[test]
    fn every_department_is_staffed_and_managers_come_first() {
        let people = organisation(120, 1, today(), "example.com");
        assert_eq!(people.len(), 120);
        for (d, _) in DEPARTMENTS {
            assert!(people.iter().any(|p| p.department == *d), "{d}");
        }
        for (i, p) in people.iter().enumerate() {
            assert!(p.manager.is_none_or(|m| m < i));
            assert!(p.end_date.is_none_or(|e| e >= p.start_date));
            assert_eq!(p.status == EmploymentStatus::Active, p.end_date.is_none());
        }
        let mut emails: Vec<_> = people.iter().map(|p| &p.email).collect();
        emails.sort();
        emails.dedup();
        assert_eq!(emails.len(), 120);
    }
}
