//! What the tool shows people and programs: view structs made for output, the
//! same shape for `--json` and for templates.

pub mod view;
