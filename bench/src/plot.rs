//! `deletable-bench plot`: draws the measured tables (the markdown the benchmark prints, as kept
//! in `bench/results/`) as one PNG: wall time and peak RSS against N, a line per method, both
//! axes logarithmic.

use std::collections::BTreeMap;
use std::error::Error;

use plotters::prelude::*;

/// Text is drawn with this font (Debian's `fonts-dejavu-core`).
const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// One row of a result table.
struct Row {
    n: f64,
    method: String,
    seconds: f64,
    peak_mb: f64,
}

/// Reads the rows `| N | method | s | MB | statements | rows |` of the given tables.
fn read_rows(paths: &[String]) -> Result<Vec<Row>, Box<dyn Error>> {
    let mut rows = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|error| format!("{path}: {error}"))?;
        for line in text.lines() {
            let cells: Vec<&str> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let [n, method, seconds, peak_mb, ..] = cells[..] else {
                continue;
            };
            let (Ok(n), Ok(seconds), Ok(peak_mb)) = (n.parse(), seconds.parse(), peak_mb.parse())
            else {
                continue;
            };
            rows.push(Row {
                n,
                method: method.to_string(),
                seconds,
                peak_mb,
            });
        }
    }
    if rows.is_empty() {
        return Err("no result rows in the given files".into());
    }
    Ok(rows)
}

/// Draws `tables` into the PNG `out`, titled `title`.
pub fn draw(out: &str, title: &str, tables: &[String]) -> Result<(), Box<dyn Error>> {
    let font = std::fs::read(FONT)
        .map_err(|error| format!("{FONT}: {error} (apt-get install fonts-dejavu-core)"))?;
    plotters::style::register_font("sans-serif", FontStyle::Normal, font.leak())
        .map_err(|_| format!("{FONT} is not a font plotters can read"))?;
    let rows = read_rows(tables)?;
    let root = BitMapBackend::new(out, (1400, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", 24))?;
    let (left, right) = root.split_horizontally(700);
    panel(&left, "wall time of the delete (s)", &rows, |row| {
        row.seconds
    })?;
    panel(&right, "peak RSS of the process (MB)", &rows, |row| {
        row.peak_mb
    })?;
    root.present()?;
    Ok(())
}

fn panel(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    caption: &str,
    rows: &[Row],
    value: impl Fn(&Row) -> f64,
) -> Result<(), Box<dyn Error>> {
    let mut by_method: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    for row in rows {
        by_method
            .entry(&row.method)
            .or_default()
            .push((row.n, value(row)));
    }
    let (n_low, n_high) = bounds(rows.iter().map(|row| row.n));
    let (y_low, y_high) = bounds(rows.iter().map(&value));
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 20))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (n_low / 1.5..n_high * 1.5).log_scale(),
            (y_low / 1.5..y_high * 1.5).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("N (b rows deleted with their c rows)")
        .x_label_formatter(&|n| format!("{n:.0}"))
        .y_label_formatter(&|y| format!("{y}"))
        .label_style(("sans-serif", 14))
        .draw()?;
    for (index, (method, mut points)) in by_method.into_iter().enumerate() {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let color = Palette99::pick(index).to_rgba();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(3)))?
            .label(method)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
            });
        chart.draw_series(
            points
                .into_iter()
                .map(|point| Circle::new(point, 4, color.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::MAX, f64::MIN), |(low, high), value| {
        (low.min(value), high.max(value))
    })
}
