"""``ckan govshare exchange run``: batch exchange runs from cron or by hand (issue 17, item 3).

    */5 * * * * ckan -c /etc/ckan/ckan.ini govshare exchange run

Without ``--id`` it runs every due subscription, one after the other, in this process, and
prints a summary; it exits 0 whatever the runs' outcomes (they are recorded, audited and
notified), so cron is not flooded. A second invocation while one is still working skips the
subscriptions that are running (one run per subscription at a time: an advisory lock, and a
run queued or running refuses another). ``--id`` runs that subscription now and exits 1 when
the run failed or was refused.
"""

from __future__ import annotations

import click

from ..core.messages import halves


@click.group("exchange", short_help="Batch exchange to departments' exchange targets.")
def exchange() -> None:
    """Batch exchange (批量交换) to exchange targets (前置机)."""


def _line(run: dict) -> str:
    error = f" — {halves(run.get('error'))[0]}" if run.get("error") else ""
    return (
        f"  run {run.get('id')} of subscription {run.get('subscription_id')}: "
        f"{run.get('outcome')}, {run.get('rows') or 0} rows, "
        f"{run.get('milliseconds') or 0} ms{error}"
    )


@exchange.command("run")
@click.option(
    "--id",
    "subscription_id",
    default=None,
    metavar="SUBSCRIPTION",
    help="Run this subscription now (synchronously), due or not.",
)
def run(subscription_id: str | None) -> None:
    """Run the due subscriptions (cron-safe; exit 0), or one subscription now (--id)."""
    import ckan.plugins.toolkit as tk
    from ckan import model

    from . import jobs, runs

    if subscription_id is None:
        summary = jobs.run_due()
        click.echo(
            "Batch exchange: {due} due, {succeeded} succeeded, {failed} failed, "
            "{skipped} skipped.".format(**summary)
        )
        for done in summary["runs"]:
            click.echo(_line(done))
        return
    try:
        queued = jobs.queue(subscription_id, trigger="cli", requested_by=None, enqueue=False)
        model.Session.commit()
    except (tk.ValidationError, tk.ObjectNotFound) as error:
        model.Session.rollback()
        found = getattr(error, "error_dict", None) or {}
        text = "; ".join(str(v) for vs in found.values() for v in vs) or str(error.message)
        click.echo(f"Not run: {text}")
        raise click.exceptions.Exit(1) from None
    result = runs.execute(queued["id"])
    click.echo(_line(result))
    if result.get("outcome") != runs.SUCCESS:
        raise click.exceptions.Exit(1)


@exchange.command("rekey")
def rekey() -> None:
    """Encrypt every exchange target's connection string again with the first key of
    ckanext.govshare.exchange.key (key rotation: put the new key first, the old one after it,
    run this, then drop the old key). Audited as one event."""
    from ckan import model

    from ..audit import store as audit_store
    from . import targets
    from .secrets import SecretError

    try:
        count = targets.rekey()
        audit_store.record(
            "govshare_exchange_target_rekey",
            object_type="exchange_target",
            detail={"targets": count},
        )
        model.Session.commit()
    except SecretError as error:
        model.Session.rollback()
        click.echo(f"Not re-encrypted: {halves(error.text)[0]}")
        raise click.exceptions.Exit(1) from None
    click.echo(f"Re-encrypted {count} exchange target connection string(s).")
