//! Rendering: templates + macros + context -> rendered SQL, refs, sources and config per node.

pub mod builtins;
pub mod compile;
pub mod context;
pub mod convert;
pub mod env;
pub mod generic;
pub mod literals;
pub mod macros;
pub mod naming;
pub mod operators;
pub mod passes;
pub mod prepare;
pub mod pymodules;
pub mod pyobj;
pub mod relation;
pub mod unit;
pub mod warehouse;
