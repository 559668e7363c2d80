//! The terminal side: raw mode and the alternate screen while the view
//! runs (ratatui restores both on exit and on a panic), keys, resizes and
//! the refresh clock. Plain crossterm, keys only: it works over SSH and in
//! tmux, no mouse needed.

use crate::app::App;
use crate::ui;
use hookwatch_view::{Filter, View};
use ratatui::crossterm::event::{self, Event};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub struct Options {
    pub db: PathBuf,
    pub filter: Filter,
    /// How often to look for new events (the newest id, one indexed read).
    pub poll: Duration,
    /// Read everything again at least this often even without a new event:
    /// alerts, notifications and recovery jobs change state on their own,
    /// and ages grow.
    pub refresh: Duration,
}

impl Options {
    pub fn new(db: PathBuf, filter: Filter) -> Options {
        Options {
            db,
            filter,
            poll: Duration::from_secs(1),
            refresh: Duration::from_secs(5),
        }
    }
}

/// Runs until `q`. `before_poll` runs before each look for new events: the
/// CLI moves spooled events into the database there, so failures show up
/// within a second rather than at the end of the agent's turn. Its error
/// is shown in the header; the view goes on.
pub fn run(
    opts: Options,
    before_poll: &mut dyn FnMut() -> Result<(), String>,
) -> Result<(), crate::Error> {
    let view = View::open(&opts.db)?;
    let mut app = App::new(opts.filter.clone());
    app.reload(&view, crate::now_us());
    let mut terminal = ratatui::try_init()?;
    let result = run_loop(&mut terminal, &view, &mut app, &opts, before_poll);
    ratatui::restore();
    result
}

fn run_loop(
    terminal: &mut ratatui::DefaultTerminal,
    view: &View,
    app: &mut App,
    opts: &Options,
    before_poll: &mut dyn FnMut() -> Result<(), String>,
) -> Result<(), crate::Error> {
    let mut next_poll = Instant::now() + opts.poll;
    let mut read_at = Instant::now();
    loop {
        if app.stale {
            app.reload(view, crate::now_us());
            read_at = Instant::now();
        }
        // ratatui sends only the cells that changed: cheap over SSH.
        terminal.draw(|f| ui::draw(f, app))?;
        if app.quit {
            return Ok(());
        }
        if event::poll(next_poll.saturating_duration_since(Instant::now()))? {
            match event::read()? {
                Event::Key(k) => app.on_key(k, view, crate::now_us()),
                // The next draw takes the new size.
                Event::Resize(..) => {}
                _ => {}
            }
            continue;
        }
        next_poll = Instant::now() + opts.poll;
        if let Err(e) = before_poll() {
            app.status = Some(e);
        }
        let seen = app.snap.as_ref().map(|s| s.latest_id);
        match view.latest_id() {
            Ok(id) if Some(id) != seen || read_at.elapsed() >= opts.refresh => app.stale = true,
            Ok(_) => {}
            Err(e) => app.status = Some(e.to_string()),
        }
    }
}
