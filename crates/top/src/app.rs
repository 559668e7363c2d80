//! The state of the live view and what each key does to it. No terminal
//! here: tests drive an [`App`] with key events and render it into a
//! `TestBackend`.

use crate::fmt::{age, cut};
use crate::snapshot::{Snapshot, RECENT};
use hookwatch_view::{EventPage, Filter, Range, View};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::cell::Cell;

/// What `r` / `R` cycle through.
pub const RANGES: &[&str] = &["1h", "24h", "7d", "30d", "90d", "all"];

/// The list the arrow keys move in and `Enter` opens an event of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Recent,
    Fingerprints,
}

pub enum Pane {
    Main,
    Event(Box<EventPane>),
    Picker(Picker),
}

/// One event in full, scrolled by line.
pub struct EventPane {
    pub id: i64,
    /// `None`: the event is gone (retention removed it since).
    pub page: Option<EventPage>,
    pub scroll: usize,
    /// Set by the last draw: the pane's last line can be scrolled to the
    /// pane's bottom and no further, and a page is what fits.
    pub max_scroll: Cell<usize>,
    pub page_rows: Cell<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickKind {
    Project,
    Session,
}

/// A list to choose a project or session from, narrowed by typing.
pub struct Picker {
    pub kind: PickKind,
    pub query: String,
    pub choices: Vec<Choice>,
    /// Index into [`Picker::visible`].
    pub selected: usize,
}

pub struct Choice {
    /// `None` clears the filter.
    pub value: Option<String>,
    pub label: String,
}

impl Picker {
    /// The choices whose label holds what was typed (any case).
    pub fn visible(&self) -> Vec<&Choice> {
        let q = self.query.to_lowercase();
        self.choices
            .iter()
            .filter(|c| c.label.to_lowercase().contains(&q))
            .collect()
    }
}

pub struct App {
    pub filter: Filter,
    pub snap: Option<Snapshot>,
    pub focus: Focus,
    /// Selected row in the recent failures and in the top failures.
    pub recent_sel: usize,
    pub fp_sel: usize,
    pub pane: Pane,
    /// `?`: the footer lists every key.
    pub help: bool,
    /// The last error, shown in the header until a refresh succeeds.
    pub status: Option<String>,
    pub quit: bool,
    /// The filter changed: read again before the next draw.
    pub stale: bool,
}

impl App {
    pub fn new(filter: Filter) -> App {
        App {
            filter,
            snap: None,
            focus: Focus::Recent,
            recent_sel: 0,
            fp_sel: 0,
            pane: Pane::Main,
            help: false,
            status: None,
            quit: false,
            stale: true,
        }
    }

    /// Read every figure again. A failed read keeps the figures on screen
    /// and says why: the worker may hold the database for a moment.
    pub fn reload(&mut self, view: &View, now_us: i64) {
        match Snapshot::load(view, &self.filter, now_us, RECENT) {
            Ok(s) => {
                // The selection stays on its failure as new ones push it
                // down, except on the first row, which follows the newest.
                let old = self.snap.as_ref();
                let was_recent = old
                    .and_then(|o| o.recent_failures.get(self.recent_sel))
                    .map(|h| h.item.id);
                let was_fp = old
                    .and_then(|o| o.overview.top_fingerprints.get(self.fp_sel))
                    .map(|f| f.fingerprint.clone());
                if self.recent_sel > 0 {
                    if let Some(i) = s
                        .recent_failures
                        .iter()
                        .position(|h| Some(h.item.id) == was_recent)
                    {
                        self.recent_sel = i;
                    }
                }
                if let Some(i) = s
                    .overview
                    .top_fingerprints
                    .iter()
                    .position(|f| Some(&f.fingerprint) == was_fp.as_ref())
                {
                    self.fp_sel = i;
                }
                self.recent_sel = self
                    .recent_sel
                    .min(s.recent_failures.len().saturating_sub(1));
                self.fp_sel = self
                    .fp_sel
                    .min(s.overview.top_fingerprints.len().saturating_sub(1));
                self.snap = Some(s);
                self.status = None;
            }
            Err(e) => self.status = Some(e.to_string()),
        }
        self.stale = false;
    }

    /// The event the selected row stands for: a failure, or the newest
    /// occurrence of a fingerprint.
    pub fn selected_event(&self) -> Option<i64> {
        let s = self.snap.as_ref()?;
        match self.focus {
            Focus::Recent => s.recent_failures.get(self.recent_sel).map(|h| h.item.id),
            Focus::Fingerprints => s
                .overview
                .top_fingerprints
                .get(self.fp_sel)
                .map(|f| f.last_id),
        }
    }

    pub fn on_key(&mut self, key: KeyEvent, view: &View, now_us: i64) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('d'))
        {
            self.quit = true;
            return;
        }
        match &mut self.pane {
            Pane::Event(p) => {
                if event_key(p, key.code) {
                    self.pane = Pane::Main;
                }
            }
            Pane::Picker(p) => match picker_key(p, key.code) {
                PickerOutcome::Stay => {}
                PickerOutcome::Cancel => self.pane = Pane::Main,
                PickerOutcome::Chose(kind, value) => {
                    match kind {
                        PickKind::Project => {
                            // A session belongs to one project: keeping it
                            // under another would show nothing.
                            if value.is_some() {
                                self.filter.session = None;
                            }
                            self.filter.project = value;
                        }
                        PickKind::Session => self.filter.session = value,
                    }
                    self.pane = Pane::Main;
                    self.stale = true;
                }
            },
            Pane::Main => self.main_key(key.code, view, now_us),
        }
    }

    fn main_key(&mut self, code: KeyCode, view: &View, now_us: i64) {
        let len = self.snap.as_ref().map_or(0, |s| match self.focus {
            Focus::Recent => s.recent_failures.len(),
            Focus::Fingerprints => s.overview.top_fingerprints.len(),
        });
        let sel = match self.focus {
            Focus::Recent => &mut self.recent_sel,
            Focus::Fingerprints => &mut self.fp_sel,
        };
        let last = len.saturating_sub(1);
        match code {
            KeyCode::Char('q') | KeyCode::Esc => self.quit = true,
            KeyCode::Char('?') => self.help = !self.help,
            KeyCode::Up | KeyCode::Char('k') => *sel = sel.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => *sel = (*sel + 1).min(last),
            KeyCode::PageUp => *sel = sel.saturating_sub(10),
            KeyCode::PageDown => *sel = (*sel + 10).min(last),
            KeyCode::Home | KeyCode::Char('g') => *sel = 0,
            KeyCode::End | KeyCode::Char('G') => *sel = last,
            KeyCode::Tab | KeyCode::BackTab => {
                self.focus = match self.focus {
                    Focus::Recent => Focus::Fingerprints,
                    Focus::Fingerprints => Focus::Recent,
                }
            }
            KeyCode::Enter | KeyCode::Char('o') => {
                if let Some(id) = self.selected_event() {
                    self.open_event(view, id);
                }
            }
            KeyCode::Char('r') => self.cycle_range(1),
            KeyCode::Char('R') => self.cycle_range(RANGES.len() - 1),
            KeyCode::Char('p') => self.open_picker(view, PickKind::Project, now_us),
            KeyCode::Char('s') => self.open_picker(view, PickKind::Session, now_us),
            KeyCode::Char('x')
                if self.filter.project.is_some() || self.filter.session.is_some() =>
            {
                self.filter.project = None;
                self.filter.session = None;
                self.stale = true;
            }
            _ => {}
        }
    }

    pub fn open_event(&mut self, view: &View, id: i64) {
        match view.event(id) {
            Ok(page) => {
                self.pane = Pane::Event(Box::new(EventPane {
                    id,
                    page,
                    scroll: 0,
                    max_scroll: Cell::new(0),
                    page_rows: Cell::new(10),
                }))
            }
            Err(e) => self.status = Some(e.to_string()),
        }
    }

    /// The next (or, with `step = len - 1`, the previous) range of
    /// [`RANGES`]; a range given on the command line that is not among
    /// them moves to the first.
    fn cycle_range(&mut self, step: usize) {
        let name = self.filter.range.name();
        let next = match RANGES.iter().position(|r| *r == name) {
            Some(i) => (i + step) % RANGES.len(),
            None => 0,
        };
        if let Some(r) = Range::parse(RANGES[next]) {
            self.filter.range = r;
            self.stale = true;
        }
    }

    fn open_picker(&mut self, view: &View, kind: PickKind, now_us: i64) {
        let choices = match kind {
            PickKind::Project => view.facets().map(|f| {
                std::iter::once(Choice {
                    value: None,
                    label: "(all projects)".into(),
                })
                .chain(f.projects.into_iter().map(|p| Choice {
                    label: p.clone(),
                    value: Some(p),
                }))
                .collect::<Vec<_>>()
            }),
            PickKind::Session => {
                // Sessions of the range and project on screen, newest first.
                let f = Filter {
                    session: None,
                    ..self.filter.clone()
                };
                view.sessions(&f, now_us, 500, 0).map(|rows| {
                    std::iter::once(Choice {
                        value: None,
                        label: "(all sessions)".into(),
                    })
                    .chain(rows.into_iter().map(|s| Choice {
                        label: format!(
                            "{}  {}  {} ago  {} calls  {} failures",
                            s.session_id,
                            cut(s.project.as_deref().unwrap_or("-"), 40),
                            age(now_us, s.last_us),
                            s.tool_calls,
                            s.failures
                        ),
                        value: Some(s.session_id),
                    }))
                    .collect::<Vec<_>>()
                })
            }
        };
        match choices {
            Ok(choices) => {
                let current = match kind {
                    PickKind::Project => &self.filter.project,
                    PickKind::Session => &self.filter.session,
                };
                let selected = choices
                    .iter()
                    .position(|c| c.value == *current)
                    .unwrap_or(0);
                self.pane = Pane::Picker(Picker {
                    kind,
                    query: String::new(),
                    choices,
                    selected,
                });
            }
            Err(e) => self.status = Some(e.to_string()),
        }
    }
}

/// Scrolls the event pane; true when the key closes it.
fn event_key(p: &mut EventPane, code: KeyCode) -> bool {
    let max = p.max_scroll.get();
    let page = p.page_rows.get().max(1);
    match code {
        KeyCode::Esc
        | KeyCode::Char('q')
        | KeyCode::Enter
        | KeyCode::Char('o')
        | KeyCode::Backspace
        | KeyCode::Left => return true,
        KeyCode::Up | KeyCode::Char('k') => p.scroll = p.scroll.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => p.scroll = (p.scroll + 1).min(max),
        KeyCode::PageUp | KeyCode::Char('b') => p.scroll = p.scroll.saturating_sub(page),
        KeyCode::PageDown | KeyCode::Char(' ') => p.scroll = (p.scroll + page).min(max),
        KeyCode::Home | KeyCode::Char('g') => p.scroll = 0,
        KeyCode::End | KeyCode::Char('G') => p.scroll = max,
        _ => {}
    }
    false
}

enum PickerOutcome {
    Stay,
    Cancel,
    Chose(PickKind, Option<String>),
}

fn picker_key(p: &mut Picker, code: KeyCode) -> PickerOutcome {
    let len = p.visible().len();
    match code {
        KeyCode::Esc => return PickerOutcome::Cancel,
        KeyCode::Enter => {
            return match p.visible().get(p.selected) {
                Some(c) => PickerOutcome::Chose(p.kind, c.value.clone()),
                None => PickerOutcome::Stay,
            }
        }
        KeyCode::Up => p.selected = p.selected.saturating_sub(1),
        KeyCode::Down => p.selected = (p.selected + 1).min(len.saturating_sub(1)),
        KeyCode::PageUp => p.selected = p.selected.saturating_sub(10),
        KeyCode::PageDown => p.selected = (p.selected + 10).min(len.saturating_sub(1)),
        KeyCode::Backspace => {
            p.query.pop();
            p.selected = 0;
        }
        KeyCode::Char(c) => {
            p.query.push(c);
            p.selected = 0;
        }
        _ => {}
    }
    PickerOutcome::Stay
}
