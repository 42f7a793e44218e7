import pytest

from grader.submission import MAX_CODE_BYTES, Unacceptable, decode_submission


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "empty"),
        (b"   \n\t\n", "empty"),
        (b"x = 1\n\xff\xfe = 2\n", "not UTF-8 text (byte 0xff on line 2)"),
        (b"x = 1\n\x00", "NUL byte on line 2"),
        (b"#" * (MAX_CODE_BYTES + 1), "the limit is"),
    ],
)
def test_ungradable_files_are_rejected_with_a_reason(raw, words):
    with pytest.raises(Unacceptable, match=None) as caught:
        decode_submission(raw)
    assert words in str(caught.value)


def test_a_byte_order_mark_is_dropped():
    assert decode_submission("\ufeffx = 1".encode()) == "x = 1"
