// Enums that will grow are `#[non_exhaustive]`: a match on every variant known today needs a
// wildcard, so a new hook stage or action is not a breaking change.
use deletable::{Action, HookStage};

fn stage(stage: HookStage) -> u8 {
    match stage {
        HookStage::BeforeDelete => 0,
        HookStage::AfterDelete => 1,
        HookStage::BeforeSoftDelete => 2,
        HookStage::AfterSoftDelete => 3,
        HookStage::BeforeRestore => 4,
        HookStage::AfterRestore => 5,
    }
}

fn action(action: Action) -> u8 {
    match action {
        Action::Cascade => 0,
        Action::Protect => 1,
        Action::Restrict => 2,
        Action::SetNull => 3,
        Action::SetDefault => 4,
        Action::DoNothing => 5,
    }
}

fn main() {
    let _ = (stage(HookStage::BeforeDelete), action(Action::Cascade));
}
