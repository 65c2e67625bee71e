"""The text stream COPY reads the ballot values from (evaluation.services.ballots._CopyText)."""

from __future__ import annotations

from evaluation.services.ballots import _CopyText

LINES = [f"row {n}\t{n * 7}\n" for n in range(1000)]


def test_chunks_of_any_size_add_up_to_every_line_in_order():
    for size in (1, 10, 4096, 10**6):
        stream = _CopyText(iter(LINES))
        chunks = []
        while chunk := stream.read(size):
            chunks.append(chunk)
        assert "".join(chunks) == "".join(LINES)
        assert all(len(chunk) >= size for chunk in chunks[:-1])  # only the last may be short


def test_reading_all_at_once_gives_everything_then_nothing():
    stream = _CopyText(LINES)
    assert stream.read() == "".join(LINES)
    assert stream.read(100) == ""
