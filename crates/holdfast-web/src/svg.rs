//! Draws the process map as SVG on the server from the layout core computes: processes in
//! columns by the flow of events, each interaction an arrow through its own label, coloured by
//! how its tasks fared in the last 90 days. Every arrow links to its row in the table below the
//! map (the rule in words and its SLA figures) and every box to its process.

use std::fmt::Write;

use holdfast_core::map::layout::{self, BOX_H, Layout};
use holdfast_core::map::{Edge, Health, ProcessMap};
use holdfast_core::words;

const LEGEND_H: f64 = 100.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn colour(h: Health) -> &'static str {
    match h {
        Health::Quiet => "#57606a",
        Health::Healthy => "#1a7f37",
        Health::Pending => "#9a6700",
        Health::Breached => "#cf222e",
    }
}

/// The rule behind an arrow in one sentence, with its figures: the arrow's tooltip and the
/// map table's row.
#[must_use]
pub fn edge_sentence(map: &ProcessMap, e: &Edge) -> String {
    let name = |id: &str| {
        map.nodes
            .iter()
            .find(|n| n.id == id)
            .map_or("", |n| n.name.as_str())
    };
    format!(
        "{} in {}: a task in {} within {}. Last 90 days: {} met, {} breached, {} open.",
        words::label(&e.event),
        name(&e.from),
        name(&e.to),
        words::hours(e.sla_hours),
        e.met,
        e.breached,
        e.open
    )
}

/// A smooth path through `points`, leaving and entering each point horizontally.
fn path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    if let Some((x, y)) = points.first() {
        let _ = write!(d, "M{x:.1},{y:.1}");
    }
    for pair in points.windows(2) {
        let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
        let bend = ((x2 - x1).abs() / 2.0).max(24.0) * if x2 >= x1 { 1.0 } else { -1.0 };
        let _ = write!(
            d,
            " C{:.1},{y1:.1} {:.1},{y2:.1} {x2:.1},{y2:.1}",
            x1 + bend,
            x2 - bend
        );
    }
    d
}

/// The map as a standalone SVG document.
#[must_use]
pub fn render(map: &ProcessMap) -> String {
    let Layout {
        width,
        height,
        nodes,
        edges,
    } = layout::lay_out(map);
    let (width, height) = (width.max(420.0), height + LEGEND_H);
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="group" aria-labelledby="map-title" aria-describedby="map-desc" font-family="system-ui, sans-serif">
<title id="map-title">ISMS process map</title>
<desc id="map-desc">{} processes and {} interactions drawn from the live records, in columns by the flow of events; arrows are coloured by SLA health over the last 90 days. The table below the map lists each interaction in words.</desc>
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
            r#"<marker id="arrow-{h}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{}"/></marker>"#,
            colour(h),
            h = h.as_str()
        );
    }
    out.push_str("</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    // Arrows first, breached last so they lie on top; then every label on a white ground.
    for placed in &edges {
        let e = &map.edges[placed.edge];
        let _ = write!(
            out,
            r##"<a href="#edge-{id}" class="edge {health}"><title>{sentence}</title><path d="{d}" fill="none" stroke="{c}" stroke-width="{w}" marker-end="url(#arrow-{health})"/></a>"##,
            id = esc(&e.id),
            health = e.health.as_str(),
            sentence = esc(&edge_sentence(map, e)),
            d = path(&placed.points),
            c = colour(e.health),
            w = if e.health == Health::Breached { 3 } else { 2 },
        );
        out.push('\n');
    }
    for placed in &edges {
        let e = &map.edges[placed.edge];
        let l = placed.label;
        let _ = write!(
            out,
            r##"<a href="#edge-{id}" class="edge-label"><title>{sentence}</title><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="3" fill="#ffffff" stroke="{c}" stroke-width="0.75"/><text x="{tx:.1}" y="{ty:.1}" font-size="11" fill="{c}" text-anchor="middle">{text}</text></a>"##,
            id = esc(&e.id),
            sentence = esc(&edge_sentence(map, e)),
            x = l.x,
            y = l.y,
            w = l.w,
            h = l.h,
            tx = l.x + l.w / 2.0,
            ty = l.y + l.h - 4.0,
            c = colour(e.health),
            text = esc(&placed.text),
        );
        out.push('\n');
    }
    for placed in &nodes {
        let node = &map.nodes[placed.node];
        let r = placed.rect;
        let _ = write!(
            out,
            r##"<a href="/processes/{id}" class="node"><title>{name}</title><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="8" fill="#f6f8fa" stroke="#0b5cad" stroke-width="1.5"/><text x="{tx:.1}" y="{ty:.1}" font-size="13" text-anchor="middle" fill="#1b1f24">{text}</text></a>"##,
            id = esc(&node.id),
            name = esc(&node.name),
            x = r.x,
            y = r.y,
            w = r.w,
            h = r.h,
            tx = r.x + r.w / 2.0,
            ty = r.y + BOX_H / 2.0 + 4.5,
            text = esc(&placed.text),
        );
        out.push('\n');
    }
    let legend = [
        (Health::Healthy, "SLA met"),
        (Health::Pending, "open, within SLA"),
        (Health::Breached, "SLA breached"),
        (Health::Quiet, "no tasks in 90 days"),
    ];
    for (i, (h, label)) in legend.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let y = height - LEGEND_H + 16.0 + 20.0 * i as f64;
        let _ = write!(
            out,
            r##"<line x1="24" y1="{y}" x2="54" y2="{y}" stroke="{}" stroke-width="3"/><text x="62" y="{}" font-size="12" fill="#1b1f24">{label}</text>"##,
            colour(*h),
            y + 4.0
        );
    }
    out.push_str("\n</svg>\n");
    out
}
