//! SQL checking: rendered SQL + dialect -> syntax diagnostics mapped back to the template.
