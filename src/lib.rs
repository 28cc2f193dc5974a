//! `incident`: run software incidents from a shell, with the record kept as
//! markdown in git. The binary in `main.rs` only parses arguments and reports
//! errors; everything else lives in these modules.

pub mod cli;
pub mod clock;
pub mod commands;
pub mod error;
mod fault;
pub mod git;
pub mod lint;
pub mod model;
pub mod notify;
pub mod parallel;
pub mod render;
pub mod settle;
pub mod store;
pub mod transaction;
pub mod ui;
pub mod workspace;
