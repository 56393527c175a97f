//! The compiled project + catalog + column lineage -> a static docs site: one
//! self-contained `index.html` (styles, script and data inline) that works from file://.

pub mod data;
pub mod serve;

use std::path::Path;

use serde_json::Value as Json;

use crate::pipeline::Parsed;

const TEMPLATE: &str = include_str!("site/index.html");
const STYLE: &str = include_str!("site/style.css");
const SCRIPT: &str = include_str!("site/app.js");

/// Writes `index.html` into `dir` and returns its path.
pub fn write_site(
    parsed: &Parsed,
    catalog: &Json,
    lineage: &Json,
    dir: &Path,
) -> std::io::Result<std::path::PathBuf> {
    let data = data::site_data(parsed, catalog, lineage);
    let html = render_page(parsed.project.name(), &data)?;
    let path = dir.join("index.html");
    std::fs::write(&path, html)?;
    Ok(path)
}

/// The page: data as a JSON script element, read by the app with JSON.parse (no fetch,
/// which file:// forbids).
fn render_page(title: &str, data: &Json) -> std::io::Result<String> {
    let json = serde_json::to_string(data)?;
    // `</` would end the script element early; `<\/` is the same JSON string.
    let json = json.replace("</", "<\\/");
    Ok(TEMPLATE
        .replace("{{title}}", &html_escape(title))
        .replace("{{style}}", STYLE)
        .replace("{{script}}", SCRIPT)
        .replacen("{{data}}", &json, 1))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_cannot_close_its_script_element() {
        let data = serde_json::json!({"raw": "select '</script><script>alert(1)</script>'"});
        let page = render_page("p<", &data).unwrap();
        assert!(!page.contains("</script><script>alert"));
        assert!(page.contains("<title>p&lt; · xform docs</title>"));
        let start = page.find("id=\"xform-data\">").unwrap() + "id=\"xform-data\">".len();
        let end = start + page[start..].find("</script>").unwrap();
        let back: Json = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(back, data);
    }
}
