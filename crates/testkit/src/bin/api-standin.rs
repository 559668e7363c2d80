//! `api-standin PORT SCENARIO.json LOG.jsonl`: serve a scripted Anthropic
//! Messages API on 127.0.0.1:PORT for manual runs of the real CLI, logging
//! each request as a JSON line. PORT 0 picks a free port (printed on stderr).

use std::path::Path;
use std::process::ExitCode;

use hookwatch_testkit::{Action, ApiStandin};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, port, scenario, log] = args.as_slice() else {
        eprintln!("usage: api-standin PORT SCENARIO.json LOG.jsonl");
        return ExitCode::from(2);
    };
    let Ok(port) = port.parse::<u16>() else {
        eprintln!("api-standin: bad port {port:?}");
        return ExitCode::from(2);
    };
    let script = match std::fs::read_to_string(scenario)
        .map_err(|e| e.to_string())
        .and_then(|t| Action::from_scenario_json(&t).map_err(|e| e.to_string()))
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("api-standin: {scenario}: {e}");
            return ExitCode::from(2);
        }
    };
    let standin = match ApiStandin::start_on(port, script, Some(Path::new(log))) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("api-standin: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("api-standin: listening on {}", standin.base_url());
    // Serve until killed; the server runs on its own threads.
    loop {
        std::thread::park();
    }
}
