#![recursion_limit = "256"]
//! zhenggai — a rectification (整改) tracker served as a REST/JSON API.

pub mod api;
pub mod auth;
pub mod background;
pub mod backup;
pub mod cli;
pub mod config;
pub mod connection;
pub mod db;
pub mod documents;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod memory;
pub mod openapi;
pub mod sealed;
pub mod seed;
pub mod service;
pub mod startup;
pub mod storage;
pub mod synthetic;
