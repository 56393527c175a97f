//! Artifacts: the compiled graph -> target/manifest.json and target/compiled/**.
