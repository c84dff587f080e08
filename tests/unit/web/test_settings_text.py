"""The Settings page's job descriptions in the catalogue stay those of the jobs themselves."""

from steward.jobs.schedule import periodic_jobs
from steward.web.pages.settings import JOB_TEXT


def test_every_translated_job_description_is_the_jobs_own() -> None:
    jobs = {job.name: job.description for job in periodic_jobs()}
    stale = {name: text for name, text in JOB_TEXT.items() if jobs.get(name) != text}
    assert not stale, f"update JOB_TEXT in web/pages/settings.py and run `make i18n`: {stale}"


def test_every_periodic_job_has_a_translatable_description() -> None:
    missing = sorted({job.name for job in periodic_jobs()} - set(JOB_TEXT))
    assert not missing, (
        f"add these jobs' descriptions to JOB_TEXT (web/pages/settings.py): {missing}"
    )
