"""Nothing of a run outlives it: its processes end with it, even after `kill -9`, and the
next run removes the staging folder a killed run left behind.

Three mechanisms, each for what the others cannot reach:

- processes we start die with their parent, and with the run's process
  (`die_with_run`, in `processes`);
- processes others start for us, Prefect's temporary API server above all, are ended by a
  watchdog when the run's process is gone (`guard_descendants`, in `processes`);
- a run's staging folder records its owner, and a later run removes those whose owner is
  no longer running (`claim_staging`, `clear_dead_staging`, in `staging`).

Only the standard library is imported: the command line imports this before anything heavy.
"""

from flows.lifecycle.processes import (
    ProcessId,
    die_with_run,
    guard_descendants,
    process_age_s,
    start_time,
)
from flows.lifecycle.staging import (
    OWNER_FILE,
    UNOWNED_STAGING_MAX_AGE_S,
    Owner,
    claim_staging,
    clear_dead_staging,
    staging_owner,
)

__all__ = [
    "OWNER_FILE",
    "UNOWNED_STAGING_MAX_AGE_S",
    "Owner",
    "ProcessId",
    "claim_staging",
    "clear_dead_staging",
    "die_with_run",
    "guard_descendants",
    "process_age_s",
    "staging_owner",
    "start_time",
]
