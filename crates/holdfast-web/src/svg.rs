//! Draws the process map as SVG on the server: processes on a circle, interactions as arrows
//! labelled with their event and SLA, coloured by how their tasks fared in the last 90 days.

use std::f64::consts::PI;
use std::fmt::Write;

use holdfast_core::map::{Health, ProcessMap};

const W: f64 = 1200.0;
const H: f64 = 1000.0;
const BOX_W: f64 = 170.0;
const BOX_H: f64 = 44.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn colour(h: Health) -> &'static str {
    match h {
        Health::Quiet => "#6e7781",
        Health::Healthy => "#1a7f37",
        Health::Pending => "#9a6700",
        Health::Breached => "#cf222e",
    }
}

/// The map as a standalone SVG document.
#[must_use]
pub fn render(map: &ProcessMap) -> String {
    let n = map.nodes.len().max(1);
    // An ellipse uses the wide canvas, so fifteen boxes fit around it without touching.
    let (cx, cy, rx, ry) = (
        W / 2.0,
        H / 2.0,
        W / 2.0 - BOX_W / 2.0 - 20.0,
        H / 2.0 - 120.0,
    );
    let pos: Vec<(f64, f64)> = (0..map.nodes.len())
        .map(|i| {
            #[allow(clippy::cast_precision_loss)]
            let a = 2.0 * PI * (i as f64) / (n as f64) - PI / 2.0;
            (cx + rx * a.cos(), cy + ry * a.sin())
        })
        .collect();
    let index = |id: &str| map.nodes.iter().position(|n| n.id == id);
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-labelledby="map-title map-desc" font-family="system-ui, sans-serif">
<title id="map-title">ISMS process map</title>
<desc id="map-desc">{} processes and {} interactions drawn from the live records; arrows are coloured by SLA health over the last 90 days.</desc>
<defs>"##,
        map.nodes.len(),
        map.edges.len()
    );
    for h in [
        Health::Quiet,
        Health::Healthy,
        Health::Pending,
        Health::Breached,
    ] {
        let _ = write!(
            out,
            r#"<marker id="arrow-{h:?}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{}"/></marker>"#,
            colour(h)
        );
    }
    out.push_str("</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    for e in &map.edges {
        let (Some(a), Some(b)) = (index(&e.from), index(&e.to)) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (pos[a], pos[b]);
        // Stop the arrow at the box's edge, and bow it so two-way pairs stay apart.
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let shrink = (BOX_W / 2.0).min(len / 3.0);
        let (sx, sy) = (x1 + dx / len * shrink * 0.6, y1 + dy / len * shrink * 0.6);
        let (ex, ey) = (x2 - dx / len * shrink * 0.75, y2 - dy / len * shrink * 0.75);
        let (mx, my) = (
            (sx + ex) / 2.0 - dy / len * 40.0,
            (sy + ey) / 2.0 + dx / len * 40.0,
        );
        let c = colour(e.health);
        let _ = write!(
            out,
            r#"<g class="edge {health:?}"><title>{event}, SLA {sla} h: {met} met, {breached} breached, {open} open</title><path d="M{sx:.0},{sy:.0} Q{mx:.0},{my:.0} {ex:.0},{ey:.0}" fill="none" stroke="{c}" stroke-width="2" marker-end="url(#arrow-{health:?})"/><text x="{mx:.0}" y="{my:.0}" font-size="11" fill="{c}" text-anchor="middle">{event} · {sla} h</text></g>"#,
            health = e.health,
            event = esc(&e.event),
            sla = e.sla_hours,
            met = e.met,
            breached = e.breached,
            open = e.open,
        );
    }
    for (node, (x, y)) in map.nodes.iter().zip(&pos) {
        let _ = write!(
            out,
            r##"<g class="node"><a href="/processes/{id}"><rect x="{rx:.0}" y="{ry:.0}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="#f6f8fa" stroke="#0b5cad" stroke-width="1.5"/><text x="{x:.0}" y="{ty:.0}" font-size="13" text-anchor="middle" fill="#1b1f24">{name}</text></a></g>"##,
            id = esc(&node.id),
            rx = x - BOX_W / 2.0,
            ry = y - BOX_H / 2.0,
            ty = y + 4.0,
            name = esc(&node.name),
        );
    }
    let legend = [
        (Health::Healthy, "SLA met"),
        (Health::Pending, "open, within SLA"),
        (Health::Breached, "SLA breached"),
        (Health::Quiet, "no tasks in 90 days"),
    ];
    for (i, (h, label)) in legend.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let y = H - 90.0 + 20.0 * i as f64;
        let _ = write!(
            out,
            r#"<line x1="20" y1="{y}" x2="50" y2="{y}" stroke="{}" stroke-width="3"/><text x="58" y="{}" font-size="12">{label}</text>"#,
            colour(*h),
            y + 4.0
        );
    }
    out.push_str("\n</svg>\n");
    out
}
