//! `docs/DSL.md` lists every kind, property and attribute exactly as the
//! compiler knows them. `TAP_BLESS=1` rewrites the generated part.

const START: &str = "<!-- generated: tap_core::kinds::reference::markdown(); `TAP_BLESS=1 cargo test -p tap-tests --test docs` rewrites it -->\n";
const END: &str = "<!-- end generated -->";

#[test]
fn the_dsl_reference_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/DSL.md");
    let doc = std::fs::read_to_string(&path).expect("docs/DSL.md");
    let (head, rest) = doc.split_once(START).expect("start marker");
    let (_, tail) = rest.split_once(END).expect("end marker");
    let expected = format!(
        "{head}{START}{}{END}{tail}",
        tap_core::kinds::reference::markdown()
    );
    if std::env::var_os("TAP_BLESS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/DSL.md");
    } else {
        assert!(
            doc == expected,
            "docs/DSL.md is out of date: run `TAP_BLESS=1 cargo test -p tap-tests --test docs`"
        );
    }
}
