//! The Lambda package `tap deploy` uploads: a `bootstrap` that runs on
//! `provided.al2023` (glibc 2.34). That the same sources give the same bytes
//! is checked where a clean build happens anyway: the pipeline's Build stage
//! builds the package from the committed tree in another directory, with an
//! empty build cache (`tests/tests/buildspecs.rs`).

use std::io::Read;
use tap_app::assets::{hash_crate, Package, Packager};

fn lambda_crate() -> std::path::PathBuf {
    tap_app::project_dir().join("lambda")
}

fn bootstrap_of(package: &Package) -> Vec<u8> {
    let file = std::fs::File::open(&package.zip).expect("the package");
    let mut archive = zip::ZipArchive::new(file).expect("a zip");
    assert_eq!(archive.len(), 1, "the package holds only `bootstrap`");
    let mut entry = archive
        .by_name("bootstrap")
        .expect("an entry named bootstrap");
    assert_eq!(
        entry.unix_mode().map(|m| m & 0o777),
        Some(0o755),
        "bootstrap is executable"
    );
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).expect("readable");
    bytes
}

/// Every `GLIBC_2.x[.y]` symbol version the binary asks for.
fn glibc_versions(binary: &[u8]) -> Vec<(u32, u32)> {
    let needle = b"GLIBC_2.";
    let mut out = Vec::new();
    for i in 0..binary.len().saturating_sub(needle.len()) {
        if &binary[i..i + needle.len()] != needle {
            continue;
        }
        let digits: Vec<u8> = binary[i + needle.len()..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .copied()
            .collect();
        if let Ok(minor) = String::from_utf8_lossy(&digits).parse() {
            out.push((2, minor));
        }
    }
    out
}

#[test]
fn the_package_is_an_x86_64_bootstrap_needing_at_most_glibc_2_34() {
    let dir = lambda_crate();
    let hash = hash_crate(&dir).expect("hash");
    let package = Packager::new(tap_app::tap_dir())
        .package(&dir, &hash)
        .expect("packaged");
    // Unchanged sources: the kept package, not a rebuild.
    let again = Packager::new(tap_app::tap_dir())
        .package(&dir, &hash)
        .expect("packaged");
    assert!(!again.built, "unchanged sources were built again");
    assert_eq!(again.sha256, package.sha256);
    let binary = bootstrap_of(&package);
    assert_eq!(&binary[..4], b"\x7fELF");
    // e_machine at offset 18: 0x3e is x86-64.
    assert_eq!(u16::from_le_bytes([binary[18], binary[19]]), 0x3e);
    let versions = glibc_versions(&binary);
    assert!(!versions.is_empty(), "no glibc symbol versions found");
    let newest = versions.iter().max().copied().unwrap_or((0, 0));
    assert!(
        newest <= (2, 34),
        "bootstrap needs GLIBC_{}.{}, newer than Amazon Linux 2023's 2.34",
        newest.0,
        newest.1
    );
}
