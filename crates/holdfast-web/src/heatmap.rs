//! Risk heatmaps drawn on the server as SVG: the method's grid, likelihood rising upwards and
//! impact to the right, each cell coloured by its level and showing how many risks sit there.
//! A cell links to the register filtered by its level, so the picture leads to the records.

use std::collections::HashMap;
use std::fmt::Write;

use holdfast_core::risk::{Method, Rating};

const CELL: usize = 64;
const LEFT: usize = 120;
const TOP: usize = 34;
const BOTTOM: usize = 52;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Fill colours from the lowest level to the highest, light enough for dark text.
fn fill(rank: usize, levels: usize) -> &'static str {
    const RAMP: [&str; 5] = ["#d1f0d8", "#fff3b0", "#ffd8a8", "#ffb3b3", "#f28b8b"];
    if levels <= 1 {
        return RAMP[0];
    }
    let step = rank * (RAMP.len() - 1) / (levels - 1);
    RAMP[step.min(RAMP.len() - 1)]
}

/// The heatmap of `counts` (risks per rating) on `method`'s grid, titled `title`; `id`
/// tells two maps on one page apart.
#[must_use]
pub fn render(method: &Method, counts: &HashMap<Rating, i64>, title: &str, id: &str) -> String {
    let likelihood = method.likelihood();
    let impact = method.impact();
    let width = LEFT + CELL * impact.len() + 8;
    let height = TOP + CELL * likelihood.len() + BOTTOM;
    let total: i64 = counts.values().sum();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="{id}-title" viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="heatmap"><title id="{id}-title">{} — {total} risks</title>"#,
        esc(title)
    );
    let _ = write!(
        s,
        r#"<text x="{LEFT}" y="20" font-weight="bold" font-size="14">{}</text>"#,
        esc(title)
    );
    let levels = method.levels().len();
    for (row, l) in likelihood.iter().rev().enumerate() {
        let y = TOP + row * CELL;
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end" font-size="12">{} ({})</text>"#,
            LEFT - 6,
            y + CELL / 2 + 4,
            esc(&l.label),
            l.value
        );
        for (col, i) in impact.iter().enumerate() {
            let x = LEFT + col * CELL;
            let rating = Rating {
                likelihood: l.value,
                impact: i.value,
            };
            let level = method.level(rating);
            let (key, label, rank) = level.map_or(("", "", 0), |lv| {
                (
                    lv.key.as_str(),
                    lv.label.as_str(),
                    method.rank(&lv.key).unwrap_or(0),
                )
            });
            let n = counts.get(&rating).copied().unwrap_or(0);
            let tip = format!(
                "{} likelihood, {} impact: {label}, {n} risk{}",
                l.label,
                i.label,
                if n == 1 { "" } else { "s" }
            );
            let _ = write!(
                s,
                r##"<a href="/risks?level={}"><title>{}</title><rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{}" stroke="#ffffff" stroke-width="2"/>"##,
                esc(key),
                esc(&tip),
                fill(rank, levels)
            );
            if n > 0 {
                let _ = write!(
                    s,
                    r#"<text x="{}" y="{}" text-anchor="middle" font-size="18" font-weight="bold">{n}</text>"#,
                    x + CELL / 2,
                    y + CELL / 2 + 6
                );
            }
            s.push_str("</a>");
        }
    }
    let base = TOP + CELL * likelihood.len();
    for (col, i) in impact.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" font-size="11">{}</text>"#,
            LEFT + col * CELL + CELL / 2,
            base + 16,
            esc(&i.label)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle" font-size="12">Impact →</text><text x="12" y="{}" font-size="12" transform="rotate(-90 12 {})" text-anchor="middle">Likelihood →</text></svg>"#,
        LEFT + CELL * impact.len() / 2,
        base + 40,
        TOP + CELL * likelihood.len() / 2,
        TOP + CELL * likelihood.len() / 2,
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use holdfast_core::risk::MethodDraft;

    #[test]
    fn every_cell_is_drawn_with_its_count_and_the_svg_is_well_formed() {
        let m = MethodDraft::five_by_five().validate().expect("valid");
        let counts: HashMap<Rating, i64> = [(
            Rating {
                likelihood: 5,
                impact: 5,
            },
            3,
        )]
        .into();
        let svg = render(&m, &counts, "Residual <risk>", "residual");
        assert_eq!(svg.matches("<rect").count(), 25);
        assert!(svg.contains(">3</text>"));
        assert!(svg.contains("Residual &lt;risk&gt; — 3 risks"));
        assert!(svg.contains(r#"href="/risks?level=very_high""#));
        assert_eq!(svg.matches("<a ").count(), svg.matches("</a>").count());
    }
}
