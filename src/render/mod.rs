//! Rendering: templates + macros + context -> rendered SQL, refs, sources and config per node.

pub mod literals;
pub mod pyobj;
