"""Key arrays sent by ``batch.run_batch`` on PostgreSQL find exactly the rows holding them.

A batch dumps a list of strings or integers as a text array literal itself (quoted, escaped)
instead of through psycopg's list dumper, so any text, including quotes, backslashes, braces,
commas, spaces, ``NULL`` and non-ASCII letters, and any 64-bit integer must arrive as sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects.postgresql import ARRAY

from steward.datastores.batch import Statement, run_batch

METADATA = sa.MetaData()
WORDS = sa.Table(
    "words",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("word", sa.Text, nullable=False),
    sa.Column("n", sa.BigInteger, nullable=False),
)
BY_WORD = sa.select(WORDS).where(
    WORDS.c.word == sa.any_(sa.bindparam("values", type_=ARRAY(sa.Text)))
)
BY_N = sa.select(WORDS).where(
    WORDS.c.n == sa.any_(sa.bindparam("values", type_=ARRAY(sa.BigInteger)))
)

TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("\"\\{},  NULL'é日"),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    ),
    max_size=10,
)
INT = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@pytest.fixture
def engine(postgres_database: Callable[[], str]) -> Iterator[sa.Engine]:
    engine = sa.create_engine(postgres_database(), connect_args={"prepare_threshold": None})
    METADATA.create_all(engine)
    yield engine
    engine.dispose()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    stored=st.lists(st.tuples(TEXT, INT), max_size=8),
    asked_words=st.lists(TEXT, max_size=6),
    asked_ns=st.lists(INT, max_size=6),
    pick=st.randoms(use_true_random=False),
)
def test_key_arrays_find_exactly_their_rows(
    engine: sa.Engine,
    stored: list[tuple[str, int]],
    asked_words: list[str],
    asked_ns: list[int],
    pick: object,
) -> None:
    rows = [{"id": i, "word": w, "n": n} for i, (w, n) in enumerate(stored)]
    # ask for some stored values too, so matches happen
    words = asked_words + [r["word"] for r in rows[::2]]
    ns = asked_ns + [r["n"] for r in rows[1::2]]
    with engine.connect() as connection:
        connection.execute(WORDS.delete())
        if rows:
            connection.execute(WORDS.insert(), rows)
        by_word, by_n = run_batch(
            connection, [Statement(BY_WORD, {"values": words}), Statement(BY_N, {"values": ns})]
        )
        connection.rollback()
    assert sorted(r["id"] for r in by_word) == [r["id"] for r in rows if r["word"] in words]
    assert sorted(r["id"] for r in by_n) == [r["id"] for r in rows if r["n"] in ns]
    assert all(r == rows[r["id"]] for r in by_word + by_n)


def test_a_batch_on_a_connection_psycopg_prepares_on_survives_its_rollback(
    postgres_database: Callable[[], str],
) -> None:
    """Steward's store engine leaves psycopg's own preparing on; psycopg then sends
    ``DEALLOCATE ALL`` after a rollback, which would drop statements a batch had named."""
    from steward.store.db import make_engine

    engine = make_engine(postgres_database())
    METADATA.create_all(engine)
    try:
        with engine.connect() as connection:
            with connection.begin():
                run_batch(connection, [Statement(BY_N, {"values": [1]})])
            for _ in range(6):  # psycopg prepares from the fifth use
                connection.execute(sa.text("SELECT 2"))
            connection.rollback()
            with connection.begin():
                assert run_batch(connection, [Statement(BY_N, {"values": [1]})]) == [[]]
    finally:
        engine.dispose()


def test_a_batch_that_fails_reading_a_row_leaves_the_connection_usable(
    engine: sa.Engine,
) -> None:
    """A row psycopg cannot load (an infinite date) fails the batch after the server has
    prepared the statements behind it; the next batches on the same pooled connection work."""
    bad = sa.select(sa.literal_column("'infinity'::date").label("d"))
    with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError), connection.begin():
        run_batch(connection, [Statement(bad), Statement(BY_N, {"values": [7]})])
    for _ in range(3):
        with engine.connect() as connection, connection.begin():
            assert run_batch(connection, [Statement(BY_N, {"values": [7]})]) == [[]]
            assert run_batch(connection, [Statement(BY_WORD, {"values": ["x"]})]) == [[]]
