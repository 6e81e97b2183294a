//! The pane list, and one module per pane; only panes that are built exist. A pane module
//! holds its actions, its job outputs, its state (a [`PaneState`]) and its view; the list
//! below generates the rest: the [`Pane`] names, [`PaneAction`], [`JobOutput`], the [`Panes`]
//! the app holds, and the routing of actions, job reports, prompts, Esc and drawing.

pub mod data;
pub mod drift;
pub mod features;
pub mod train;

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::action::{Action, Nav};
use super::effect::{Effect, JobMessage};
use super::keymap::named;
use super::pane::{Changed, JobStatus, Launch, Outcome, PaneState, Shared};
use super::prompt::PromptKind;
use super::theme::Theme;

/// The pane list: `Name(field): State`, in the order the panes appear (Data, Features, Train,
/// Compare, Drift, Export). Adding a pane is one line here, its module, and its keymap section.
macro_rules! pane_list {
    ($($pane:ident($field:ident): $state:ty),+ $(,)?) => {
        /// The panes that exist, in their fixed order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Pane {
            $($pane),+
        }

        impl Pane {
            pub const ALL: &'static [Pane] = &[$(Pane::$pane),+];

            pub fn title(self) -> &'static str {
                match self {
                    $(Pane::$pane => <$state as PaneState>::TITLE),+
                }
            }

            /// Its section in the keymap file.
            pub fn section(self) -> &'static str {
                match self {
                    $(Pane::$pane => <$state as PaneState>::SECTION),+
                }
            }

            /// The action `name` means in this pane's keymap section.
            pub fn action(self, name: &str) -> Option<Action> {
                match self {
                    $(Pane::$pane => named::<<$state as PaneState>::Action>(name)
                        .map(|a| Action::Pane(PaneAction::$pane(a)))),+
                }
            }
        }

        /// One pane's action; it reaches that pane only while it is the active one.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub enum PaneAction {
            $($pane(<$state as PaneState>::Action)),+
        }

        impl PaneAction {
            /// The list movement this action is, in whichever pane.
            pub fn nav(self) -> Option<Nav> {
                match self {
                    $(PaneAction::$pane(a) => <$state as PaneState>::nav(a)),+
                }
            }
        }

        $(impl From<<$state as PaneState>::Action> for Action {
            fn from(a: <$state as PaneState>::Action) -> Action {
                Action::Pane(PaneAction::$pane(a))
            }
        })+

        /// What a background job hands back: the output of the pane that asked for it.
        #[derive(Debug)]
        pub enum JobOutput {
            $($pane(<$state as PaneState>::Output)),+
        }

        $(impl From<<$state as PaneState>::Output> for JobOutput {
            fn from(o: <$state as PaneState>::Output) -> JobOutput {
                JobOutput::$pane(o)
            }
        })+

        /// Every pane's state.
        pub struct Panes {
            $(pub $field: $state),+
        }

        impl Panes {
            pub fn create(launch: &Launch) -> Panes {
                Panes {
                    $($field: <$state as PaneState>::create(launch)),+
                }
            }

            /// What the panes start with.
            pub fn start(&mut self, shared: &Shared) -> Vec<Effect> {
                let mut effects = Vec::new();
                $(effects.extend(<$state as PaneState>::start(&mut self.$field, shared));)+
                effects
            }

            /// A pane's action, to that pane if it is `active`.
            pub fn update(&mut self, active: Pane, action: PaneAction, shared: &Shared) -> Outcome {
                match (active, action) {
                    $((Pane::$pane, PaneAction::$pane(a)) => <$state as PaneState>::update(&mut self.$field, a, shared),)+
                    #[allow(unreachable_patterns)]
                    _ => Outcome::none(),
                }
            }

            /// A job's report, to the pane whose job it is (`None`: no pane's current job).
            pub fn on_job(&mut self, event: JobMessage, shared: &Shared) -> Option<Outcome> {
                let id = event.id();
                $(if <$state as PaneState>::owns(&self.$field, id) {
                    return event
                        .narrow(|o| match o {
                            JobOutput::$pane(o) => Some(o),
                            #[allow(unreachable_patterns)]
                            _ => None,
                        })
                        .map(|e| <$state as PaneState>::on_job(&mut self.$field, e, shared));
                })+
                None
            }

            /// A line entered in a prompt opened in `pane`.
            pub fn on_prompt(&mut self, pane: Pane, kind: PromptKind, text: &str, shared: &Shared) -> Outcome {
                match pane {
                    $(Pane::$pane => <$state as PaneState>::on_prompt(&mut self.$field, kind, text, shared)),+
                }
            }

            /// Esc in `pane`.
            pub fn escape(&mut self, pane: Pane) -> Option<Outcome> {
                match pane {
                    $(Pane::$pane => <$state as PaneState>::escape(&mut self.$field)),+
                }
            }

            pub fn busy(&self) -> bool {
                false $(|| <$state as PaneState>::busy(&self.$field))+
            }

            /// Cancel every pane's jobs.
            pub fn cancel_all(&mut self) {
                $(<$state as PaneState>::cancel_jobs(&mut self.$field);)+
            }

            /// `pane`'s running job, for the status line.
            pub fn job_status(&self, pane: Pane, now: Instant) -> Option<JobStatus> {
                match pane {
                    $(Pane::$pane => <$state as PaneState>::job_status(&self.$field, now)),+
                }
            }

            /// Each pane puts the facts it owns into `shared`; what changed.
            pub fn publish(&self, shared: &mut Shared) -> Changed {
                let mut changed = Changed::default();
                $(changed |= <$state as PaneState>::publish(&self.$field, shared);)+
                changed
            }

            /// `pane` follows the facts that changed.
            pub fn on_shared(&mut self, pane: Pane, changed: Changed, shared: &Shared) -> Vec<Effect> {
                match pane {
                    $(Pane::$pane => <$state as PaneState>::on_shared(&mut self.$field, changed, shared)),+
                }
            }

            /// Each pane's state for the table it follows, to keep: (path, pane section, JSON).
            pub fn memories(&self) -> Vec<(std::path::PathBuf, String, String)> {
                let mut kept = Vec::new();
                $(if let Some((path, state)) = <$state as PaneState>::memory(&self.$field) {
                    kept.push((path, <$state as PaneState>::SECTION.to_string(), state));
                })+
                kept
            }

            pub fn keep_visible(&mut self, size: (u16, u16)) {
                $(<$state as PaneState>::keep_visible(&mut self.$field, size);)+
            }

            pub fn render(&self, pane: Pane, frame: &mut Frame, area: Rect, shared: &Shared, theme: &Theme) {
                match pane {
                    $(Pane::$pane => <$state as PaneState>::render(&self.$field, frame, area, shared, theme)),+
                }
            }
        }
    };
}

pane_list! {
    Data(data): data::DataState,
    Features(features): features::FeaturesState,
    Train(train): train::TrainState,
    Drift(drift): drift::DriftState,
}
