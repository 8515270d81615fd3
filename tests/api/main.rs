//! One integration-test binary: every test spawns the real app on its own database and
//! talks HTTP to it. Set TEST_DATABASE_URL=postgres://… to run the suite on PostgreSQL.

mod audit;
mod auth;
mod backup;
mod cli;
mod cors;
mod dashboards;
mod duties;
mod duty_watch;
mod errors;
mod evidence;
mod extensions;
mod findings;
mod health;
mod helpers;
mod idempotency;
mod input;
mod inspections;
mod integrators;
mod language;
mod ledger;
mod lights;
mod limits;
mod measures;
mod office_day;
mod openapi;
mod organisation;
mod pagination;
mod permissions;
mod races;
mod reports;
mod seed;
mod tallies;
mod units;
mod webhooks;
mod workflow;
