"""After the demo's people and sessions: work out the engagement figures once, so the dashboard
has them before beat's first hourly run."""

from .services import rollup_refresh


def load(stdout=None) -> None:
    counts = rollup_refresh()
    if stdout:
        stdout.write(
            f"Engagement: {counts['attendance']} attendance rows, {counts['membership']} membership rows"
        )
