//! Micro-benchmarks of the parsers (incident front matter, timeline entry,
//! checklist) and the renderers (summary, customer update, RCA) on the
//! example records in `incidents/`, which the tool itself wrote.
//!
//! Run with `cargo bench --bench records`.

use std::fs;
use std::path::Path;

use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use incident::model::checklist;
use incident::render::Renderer;
use incident::store::Store;
use incident::workspace::LoadedIncident;

const EXAMPLE: &str = "2026-03-14-checkout-fails-for-eu-customers_984x";

fn store() -> Store {
    Store::new(Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf())
}

fn bench_parsers(c: &mut Criterion) {
    let store = store();
    let incident_md = fs::read_to_string(store.root().join(store.incident_file(EXAMPLE)))
        .expect("the example's incident.md");
    let checklist_md = fs::read_to_string(store.root().join(store.checklist_file(EXAMPLE)))
        .expect("the example's checklist.md");
    let timeline = store.root().join(store.timeline_dir(EXAMPLE));
    let mut entries: Vec<_> = fs::read_dir(&timeline)
        .expect("the example's timeline")
        .map(|e| e.expect("an entry").path())
        .collect();
    entries.sort();
    let entry_path = &entries[entries.len() / 2];
    let entry_md = fs::read_to_string(entry_path).expect("an entry file");

    let mut group = c.benchmark_group("parse");
    group.bench_function("incident.md front matter", |b| {
        b.iter(|| store.parse_incident(EXAMPLE, &incident_md).expect("parses"))
    });
    group.bench_function("timeline entry", |b| {
        b.iter(|| store.parse_entry(entry_path, &entry_md).expect("parses"))
    });
    group.bench_function("checklist.md", |b| {
        b.iter(|| checklist::parse(&checklist_md))
    });
    group.bench_function("whole incident (read and fold)", |b| {
        b.iter(|| LoadedIncident::read(&store, EXAMPLE).expect("reads"))
    });
    group.finish();
}

fn bench_renderers(c: &mut Criterion) {
    let store = store();
    let loaded = LoadedIncident::read(&store, EXAMPLE).expect("the example reads");
    let now: DateTime<Utc> = "2026-03-14T10:30:00Z".parse().expect("a time");
    let context = loaded.context(&store, now).expect("a context");
    let mut group = c.benchmark_group("render");
    for template in ["summary.md.hbs", "update.md.hbs", "rca.md.hbs"] {
        let renderer = Renderer::load(&store, template).expect("the template loads");
        group.bench_function(template, |b| {
            b.iter(|| renderer.render(&context).expect("renders"))
        });
    }
    group.bench_function("context (fold, due, metrics)", |b| {
        b.iter(|| loaded.context(&store, now).expect("a context"))
    });
    group.finish();
}

criterion_group!(benches, bench_parsers, bench_renderers);
criterion_main!(benches);
