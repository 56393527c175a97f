//! Rendering: templates + macros + context -> rendered SQL, refs, sources and config per node.

pub mod builtins;
pub mod context;
pub mod convert;
pub mod env;
pub mod macros;
pub mod prepare;
pub mod pymodules;
pub mod relation;
