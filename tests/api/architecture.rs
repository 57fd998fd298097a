//! The shape of `src/` holds: dependencies run one way (leaves ← db ← web ← areas ← app), no
//! two modules import each other even through others (files, and the folders they form), and
//! only the app imports every area. Read from the source text: each file's `use` lines and the
//! `crate::…`/`super::…` paths in its code (comments left out).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules by layer; a module may import only from layers below its own, and areas
/// (one layer) only from areas listed before them.
const LEAVES: &[&str] = &[
    "domain", "clock", "config", "crypto", "error", "badges", "calendar",
];
const AREAS: &[&str] = &[
    "audit",
    "events",
    "email",
    "webhooks",
    "auth",
    "schedule",
    "registrations",
    "exhibitors",
    "checkin",
    "meetings",
    "demo",
];

fn layer(top: &str) -> (usize, usize) {
    if top == "domain" {
        return (0, 0);
    }
    if LEAVES.contains(&top) {
        return (1, 0);
    }
    match top {
        "db" => (2, 0),
        "web" => (3, 0),
        "app" | "" => (5, 0),
        area => (
            4,
            AREAS
                .iter()
                .position(|a| *a == area)
                .unwrap_or_else(|| panic!("module `{area}` is in no layer: add it to the list")),
        ),
    }
}

/// Module path (`registrations::service`) → file, for every file of the library.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(src, &mut files);
    files
        .into_iter()
        .filter(|p| !p.ends_with("main.rs"))
        .map(|p| {
            let rel = p.strip_prefix(src).expect("under src").with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().to_string())
                .collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            (parts.join("::"), p)
        })
        .collect()
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.to_string()];
    };
    let close = tree.rfind('}').unwrap_or(tree.len());
    if close <= open {
        return vec![tree.to_string()];
    }
    let prefix = &tree[..open];
    let inner = &tree[open + 1..close];
    let (mut parts, mut depth, mut current) = (Vec::new(), 0, String::new());
    for ch in inner.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if ch == ',' && depth == 0 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(ch);
        }
    }
    parts.push(current);
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .flat_map(expand)
        .map(|p| {
            if p == "self" {
                prefix.trim_end_matches("::").to_string()
            } else {
                format!("{prefix}{p}")
            }
        })
        .collect()
}

/// The module a path names, seen from module `from`; None outside the crate.
fn resolve(known: &BTreeSet<String>, from: &str, path: &str) -> Option<String> {
    let mut segs: Vec<&str> = path.split("::").map(str::trim).collect();
    let mut base: Vec<&str> = if from.is_empty() {
        vec![]
    } else {
        from.split("::").collect()
    };
    match segs.first().copied() {
        Some("crate") => {
            base.clear();
            segs.remove(0);
        }
        Some("super") => {
            while segs.first() == Some(&"super") {
                base.pop();
                segs.remove(0);
            }
        }
        Some("self") => {
            segs.remove(0);
        }
        _ => return None,
    }
    let full: Vec<&str> = base.into_iter().chain(segs).collect();
    (1..=full.len())
        .rev()
        .map(|n| full[..n].join("::"))
        .find(|m| known.contains(m))
}

fn strip_comments(source: &str) -> String {
    source
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module's imports of other modules.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let mut edges = BTreeMap::new();
    for (name, file) in &modules {
        let code = strip_comments(&std::fs::read_to_string(file).expect("readable"));
        let mut refs = BTreeSet::new();
        let mut paths: Vec<String> = Vec::new();
        let bytes = code.as_bytes();
        let mut at = 0;
        while let Some(i) = code[at..].find("use ") {
            let begin = at + i;
            let word_start = begin == 0
                || !(bytes[begin - 1].is_ascii_alphanumeric() || bytes[begin - 1] == b'_');
            let end = code[begin..].find(';').map_or(code.len(), |e| begin + e);
            if word_start {
                for p in expand(&code[begin + 4..end].replace('\n', " ")) {
                    paths.push(p.split(" as ").next().unwrap_or("").trim().to_string());
                }
            }
            at = begin + 4;
        }
        for start in ["crate::", "super::"] {
            let mut at = 0;
            while let Some(i) = code[at..].find(start) {
                let begin = at + i;
                let before_ok = begin == 0
                    || !(bytes[begin - 1].is_ascii_alphanumeric() || bytes[begin - 1] == b'_');
                let end = code[begin..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                    .map_or(code.len(), |e| begin + e);
                if before_ok {
                    paths.push(code[begin..end].trim_end_matches(':').to_string());
                }
                at = end.max(begin + 1);
            }
        }
        for p in paths {
            if let Some(target) = resolve(&known, name, &p) {
                if target != *name && !name.starts_with(&format!("{target}::")) {
                    refs.insert(target);
                }
            }
        }
        edges.insert(name.clone(), refs);
    }
    edges
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or("")
}

/// Strongly connected components with more than one member (Tarjan).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let i = w.index.len();
        w.index.insert(v, i);
        w.low.insert(v, i);
        w.stack.push(v);
        let next: Vec<&'a str> = w
            .edges
            .get(v)
            .map(|s| s.iter().map(String::as_str).collect())
            .unwrap_or_default();
        for n in next {
            if !w.index.contains_key(n) {
                visit(w, n);
                let l = w.low[n].min(w.low[v]);
                w.low.insert(v, l);
            } else if w.stack.contains(&n) {
                let l = w.index[n].min(w.low[v]);
                w.low.insert(v, l);
            }
        }
        if w.low[v] == w.index[v] {
            let mut comp = Vec::new();
            while let Some(n) = w.stack.pop() {
                comp.push(n.to_string());
                if n == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                w.found.push(comp);
            }
        }
    }
    let mut w = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.found
}

#[test]
fn no_module_imports_against_the_direction() {
    let edges = graph();
    assert!(
        edges.len() > 40,
        "the source was read: {} modules",
        edges.len()
    );
    let mut wrong = Vec::new();
    for (from, targets) in &edges {
        for to in targets {
            let (a, b) = (top(from), top(to));
            if a == b {
                continue;
            }
            let (la, lb) = (layer(a), layer(b));
            if lb >= la {
                wrong.push(format!("{from} imports {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the direction:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_import_cycles_between_files_or_folders() {
    let edges = graph();
    let files = cycles(&edges);
    assert!(files.is_empty(), "files importing each other: {files:?}");
    let mut folders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, targets) in &edges {
        for to in targets {
            if top(from) != top(to) {
                folders
                    .entry(top(from).to_string())
                    .or_default()
                    .insert(top(to).to_string());
            }
        }
    }
    let folders = cycles(&folders);
    assert!(
        folders.is_empty(),
        "folders importing each other: {folders:?}"
    );
}

#[test]
fn only_the_app_imports_every_area() {
    let edges = graph();
    let mut importers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, targets) in &edges {
        for to in targets {
            if AREAS.contains(&top(to)) && top(from) != top(to) {
                importers.entry(top(from)).or_default().insert(top(to));
            }
        }
    }
    let every: BTreeSet<&str> = AREAS.iter().copied().filter(|a| *a != "demo").collect();
    for (module, areas) in &importers {
        let all = every.iter().all(|a| areas.contains(a) || a == module);
        assert_eq!(
            all,
            *module == "app",
            "`{module}` imports {areas:?}: only the app may import every area"
        );
    }
    assert!(importers.contains_key("app"), "the app mounts the areas");
}

#[test]
fn the_checks_see_a_planted_cycle() {
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    edges.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    edges.insert("d".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(cycles(&edges), vec![vec!["a", "b", "c"]]);
    let known: BTreeSet<String> = ["events", "events::store", "web", "web::list"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        expand("crate::web::{list::{ListParams, Page}, self}"),
        vec![
            "crate::web::list::ListParams",
            "crate::web::list::Page",
            "crate::web"
        ]
    );
    assert_eq!(
        resolve(&known, "events::handlers", "super::store::find").as_deref(),
        Some("events::store")
    );
    assert_eq!(
        resolve(&known, "events::handlers", "crate::web::list::Page").as_deref(),
        Some("web::list")
    );
    assert_eq!(resolve(&known, "events", "serde::Serialize"), None);
}

/// Which area owns each table; the tables of `src/db/schema.rs` must all be listed.
const TABLES: &[(&str, &str)] = &[
    ("organizers", "auth"),
    ("api_tokens", "auth"),
    ("console_sessions", "auth"),
    ("organizer_invites", "auth"),
    ("recovery_codes", "auth"),
    ("team_policy", "auth"),
    ("meetings", "meetings"),
    ("meeting_settings", "meetings"),
    ("meeting_unavailable", "meetings"),
    ("meeting_reminders", "meetings"),
    ("audit_entries", "audit"),
    ("events", "events"),
    ("outbox_emails", "email"),
    ("email_templates", "email"),
    ("rooms", "schedule"),
    ("tracks", "schedule"),
    ("speakers", "schedule"),
    ("sessions", "schedule"),
    ("session_speakers", "schedule"),
    ("schedule_releases", "schedule"),
    ("registrations", "registrations"),
    ("link_tokens", "auth"),
    ("bookings", "registrations"),
    ("agenda_feeds", "registrations"),
    ("schedule_notices", "registrations"),
    ("booths", "exhibitors"),
    ("exhibitors", "exhibitors"),
    ("staff_passes", "exhibitors"),
    ("checkins", "checkin"),
    ("webhooks", "webhooks"),
    ("webhook_deliveries", "webhooks"),
    ("webhook_attempts", "webhooks"),
    ("instance_secrets", "db"),
];

/// An area reaches another area's tables only through that area's functions: no file names
/// another area's table from `db::schema`.
#[test]
fn each_table_is_touched_only_by_its_area() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let schema = std::fs::read_to_string(src.join("db/schema.rs")).expect("schema");
    let declared: BTreeSet<String> = schema
        .split("diesel::table! {")
        .skip(1)
        .filter_map(|t| t.split_whitespace().next().map(str::to_string))
        .collect();
    let owned: BTreeSet<String> = TABLES.iter().map(|(t, _)| t.to_string()).collect();
    assert_eq!(declared, owned, "every table has one owning area");
    let mut wrong = Vec::new();
    for (module, file) in modules(&src) {
        let area = top(&module).to_string();
        if !AREAS.contains(&area.as_str()) || area == "demo" {
            continue;
        }
        let code = strip_comments(&std::fs::read_to_string(file).expect("readable"));
        let mut names: BTreeSet<String> = BTreeSet::new();
        for part in code.split("schema::").skip(1) {
            let part = part.trim_start();
            if let Some(group) = part.strip_prefix('{') {
                let group = group.split('}').next().unwrap_or("");
                names.extend(group.split(',').map(|n| n.trim().to_string()));
            } else {
                names.extend(
                    part.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .next()
                        .map(str::to_string),
                );
            }
        }
        for name in names {
            if let Some((_, owner)) = TABLES.iter().find(|(t, _)| *t == name) {
                if *owner != area {
                    wrong.push(format!("{module} touches `{name}`, a table of {owner}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every file of `src/` with its text, comments left out.
fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<(String, String)> = modules(&src)
        .into_iter()
        .map(|(module, file)| {
            let code = strip_comments(&std::fs::read_to_string(file).expect("readable"));
            (module, code)
        })
        .collect();
    let main = std::fs::read_to_string(src.join("main.rs")).expect("main.rs");
    files.push(("main".to_string(), strip_comments(&main)));
    files
}

/// A route is registered only through `web::routes::Routes`, which documents it: no file mounts
/// a resource, a route or a scope by hand, and every handler that carries `#[utoipa::path]` is
/// registered (its `__path_…` named) in its own file. With `openapi.rs`'s check that each
/// documented path is served with its methods, served and documented are the same set.
#[test]
fn routes_are_registered_with_their_documentation() {
    let mut wrong = Vec::new();
    for (module, code) in sources() {
        if module == "web::routes" {
            continue;
        }
        for mount in [
            "web::resource(",
            "web::scope(",
            ".route(",
            ".service(",
            "web::get()",
        ] {
            if code.contains(mount) {
                wrong.push(format!(
                    "{module} mounts a route with `{mount}`: use Routes::add"
                ));
            }
        }
        for attribute in code.split("#[utoipa::path(").skip(1) {
            let Some(name) = attribute
                .split("fn ")
                .nth(1)
                .and_then(|rest| rest.split(['(', '<']).next())
            else {
                continue;
            };
            if !code.contains(&format!("__path_{}", name.trim())) {
                wrong.push(format!(
                    "{module}::{name} is documented but never registered"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Macros are for what the language cannot say otherwise: one expansion per database backend,
/// and embedding files at build time. None generates public functions, modules or routes.
#[test]
fn macros_only_split_backends_or_embed_files() {
    const ALLOWED: &[&str] = &[
        // One expansion per backend (diesel's query types differ).
        "run",
        "paged",
        "paged_by_event",
        // Files embedded at build time.
        "page_templates",
        "builtin",
    ];
    let mut wrong = Vec::new();
    for (module, code) in sources() {
        for definition in code.split("macro_rules!").skip(1) {
            let name = definition
                .trim_start()
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default();
            if !ALLOWED.contains(&name) {
                wrong.push(format!("{module} defines macro `{name}`"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every query of an area's tables is in its `store.rs` (or a `store/` folder): a reader finds
/// them there, and an area reaches another's tables only through its functions. `model.rs` names
/// tables for its row and form types (`#[diesel(table_name = …)]`) but runs nothing; `db/` is
/// the database layer itself.
#[test]
fn queries_are_only_in_stores() {
    const QUERYING: &[&str] = &[
        "run!(",
        "paged!(",
        "paged_by_event!(",
        "insert_into(",
        "diesel::update(",
        "diesel::delete(",
        "sql_query(",
    ];
    let mut wrong = Vec::new();
    for (module, code) in sources() {
        let parts: Vec<&str> = module.split("::").collect();
        if parts[0] == "db" || parts.contains(&"store") {
            continue;
        }
        let model = parts.last() == Some(&"model");
        for needle in QUERYING {
            if code.contains(needle) {
                wrong.push(format!(
                    "{module} runs a query (`{needle}`): move it to the store"
                ));
            }
        }
        if !model && code.contains("db::schema") {
            wrong.push(format!(
                "{module} names a table: only the store and model.rs do"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The documentation holds what it cites: every "SPEC §n" of the README, `docs/` and the code
/// names a section of `docs/SPEC.md`, and the commands it gives run on any system (no macOS
/// `open`).
#[test]
fn the_documentation_cites_only_what_the_repository_holds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec = std::fs::read_to_string(root.join("docs/SPEC.md")).expect("docs/SPEC.md");
    let sections: BTreeSet<String> = spec
        .lines()
        .filter(|l| l.starts_with("## ") || l.starts_with("### "))
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(|n| n.trim_end_matches('.').to_string())
        .collect();
    let mut texts: Vec<(String, String)> = modules(&root.join("src"))
        .into_iter()
        .map(|(module, file)| (module, std::fs::read_to_string(file).expect("readable")))
        .collect();
    for doc in [
        "README.md",
        "docs/behaviour.md",
        "docs/operations.md",
        "docs/security.md",
    ] {
        let text = std::fs::read_to_string(root.join(doc)).expect("doc");
        texts.push((doc.to_string(), text));
    }
    let mut unknown = Vec::new();
    for (file, text) in &texts {
        for (at, _) in text.match_indices("SPEC §") {
            let number: String = text[at + "SPEC §".len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let number = number.trim_end_matches('.');
            if !number.is_empty() && !sections.contains(number) {
                unknown.push(format!("{file}: SPEC §{number}"));
            }
        }
        let macos = file.ends_with(".md")
            && text
                .lines()
                .any(|l| l.trim_start().starts_with("open ") || l.contains("$ open "));
        assert!(!macos, "{file} tells to run macOS's `open`");
    }
    assert!(
        unknown.is_empty(),
        "cited, not in docs/SPEC.md: {unknown:?}"
    );
}
