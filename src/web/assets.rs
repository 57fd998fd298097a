//! The files pages load — style sheets, the console's small scripts, the icon — compiled into
//! the binary and served under names that carry a hash of their content
//! (`/assets/console.3f9a1c2b7d.css`), so a browser may keep them for a year and still never
//! runs an old script after an upgrade. Templates name an asset through [`url`]; nothing is
//! fetched from anywhere else and nothing is built outside `cargo build`.

use std::collections::HashMap;
use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

/// One embedded file: its plain name, its type and its bytes.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

const ASSETS: &[Asset] = &[
    Asset::new("salon.css", CSS, include_bytes!("../../assets/salon.css")),
    Asset::new(
        "console.css",
        CSS,
        include_bytes!("../../assets/console.css"),
    ),
    Asset::new("forms.js", JS, include_bytes!("../../assets/forms.js")),
    Asset::new("editor.js", JS, include_bytes!("../../assets/editor.js")),
    Asset::new("door.js", JS, include_bytes!("../../assets/door.js")),
    Asset::new(
        "template.js",
        JS,
        include_bytes!("../../assets/template.js"),
    ),
    Asset::new(
        "api-docs.js",
        JS,
        include_bytes!("../../assets/api-docs.js"),
    ),
    Asset::new(
        "icon.svg",
        "image/svg+xml",
        include_bytes!("../../assets/icon.svg"),
    ),
];

impl Asset {
    const fn new(name: &'static str, content_type: &'static str, bytes: &'static [u8]) -> Asset {
        Asset {
            name,
            content_type,
            bytes,
        }
    }
}

/// The browser's own request for an icon, at the site's root.
const FAVICON: &[u8] = include_bytes!("../../assets/favicon.ico");

/// Each asset's served name (`console.<hash>.css`), by plain name, and the reverse.
struct Names {
    served: HashMap<&'static str, String>,
    by_served: HashMap<String, &'static Asset>,
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut served = HashMap::new();
        let mut by_served = HashMap::new();
        for asset in ASSETS {
            let digest = Sha256::digest(asset.bytes);
            let hash: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
            let (stem, ext) = asset.name.rsplit_once('.').unwrap_or((asset.name, ""));
            let name = format!("{stem}.{hash}.{ext}");
            served.insert(asset.name, name.clone());
            by_served.insert(name, asset);
        }
        Names { served, by_served }
    })
}

/// The URL of the asset named `name` (`"console.css"`), with its content hash; a name that is
/// not embedded gives a URL that answers 404 (the tests check every template's).
pub fn url(name: &str) -> String {
    match names().served.get(name) {
        Some(served) => format!("/assets/{served}"),
        None => format!("/assets/{name}"),
    }
}

/// The URLs of every asset by plain name, for templates (`assets["forms.js"]`).
pub fn urls() -> HashMap<&'static str, String> {
    ASSETS.iter().map(|a| (a.name, url(a.name))).collect()
}

#[utoipa::path(get, path = "/assets/{name}", tag = "pages",
    params(("name" = String, Path, description = "an asset's name with its content hash, e.g. `console.3f9a1c2b7d.css`")),
    responses((status = 200, description = "the file, cacheable for a year", content_type = "text/css"), (status = 404)))]
pub async fn asset(req: HttpRequest, name: web::Path<String>) -> HttpResponse {
    match names().by_served.get(name.as_str()) {
        Some(asset) => HttpResponse::Ok()
            .content_type(asset.content_type)
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(asset.bytes),
        None => super::no_such(&req, "no such asset").error_response(),
    }
}

#[utoipa::path(get, path = "/favicon.ico", tag = "pages",
    responses((status = 200, description = "the site's icon", content_type = "image/x-icon")))]
pub async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/x-icon")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(FAVICON)
}

/// The assets' routes.
pub fn routes(r: &mut super::routes::Routes) {
    r.add(__path_asset, asset).add(__path_favicon, favicon);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_names_carry_the_content_hash() {
        let css = url("console.css");
        assert!(
            css.starts_with("/assets/console.") && css.ends_with(".css"),
            "{css}"
        );
        assert_eq!(css.len(), "/assets/console..css".len() + 10);
        let served = css.trim_start_matches("/assets/");
        assert!(names().by_served.contains_key(served));
        assert_ne!(url("console.css"), url("salon.css"));
    }
}
