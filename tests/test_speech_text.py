"""What Read aloud says: Markdown cleaned to what a person hears, cut into requests of at most 200
characters with the first sentence first, and the English guess that keeps gibberish from being read."""

from utils.speech_text import looks_english, sentences, speakable_text, speech_parts


def test_markdown_symbols_are_not_read() -> None:
    said = speakable_text("# Paris\n\n**Paris** is the *capital* of [France](https://fr.wikipedia.org/wiki/France).\n"
                          "> A quote, with `inline code`.\n\n- one\n- two\n\n---\n\n1. first\n2) second")
    assert said == ("Paris.\nParis is the capital of France.\nA quote, with inline code.\none.\ntwo.\n"
                    "first.\nsecond.")
    assert not any(symbol in said for symbol in "#*[]()>`_")


def test_code_blocks_are_announced_not_read() -> None:
    said = speakable_text("Try this:\n\n```python\nfor i in range(3):\n    print(i)\n```\n\nThen run it.")
    assert said == "Try this:\nHere is a code block in python; see it on screen.\nThen run it."
    assert speakable_text("```\nunclosed = True") == "Here is a code block; see it on screen."


def test_tables_links_and_addresses_are_said_plainly() -> None:
    said = speakable_text("| City | People |\n|---|---:|\n| Paris | ~2 million |\n\nSee https://example.com/x?y=1 "
                          "and <b>bold</b> ![a map](map.png).")
    assert said == "City, People.\nParis, about 2 million.\nSee a link and bold a map."


def test_sentences_end_at_stops_and_line_breaks() -> None:
    assert sentences("Hi there! Is it “done?” Yes… It is.\nNext line") == [
        "Hi there!", "Is it “done?”", "Yes…", "It is.", "Next line"]
    assert sentences("Version 3.11 is out. Dr. Who") == ["Version 3.11 is out.", "Dr.", "Who"]


def test_parts_fit_the_limit_and_the_first_sentence_comes_alone() -> None:
    text = ("This first sentence is long enough to be sent on its own right away. " + "Then more words follow. " * 20
            + "word " * 80).strip()
    parts = speech_parts(text, 200)
    assert parts[0] == "This first sentence is long enough to be sent on its own right away."
    assert all(0 < len(part) <= 200 for part in parts)
    assert " ".join(parts).split() == text.split()  # nothing lost, nothing added
    assert len(parts) <= 1 + -(-len(text) // 150)  # packed: not one request per sentence


def test_a_short_opening_waits_for_the_next_sentence_and_long_ones_are_cut_at_commas() -> None:
    assert speech_parts("Sure. Paris is the capital of France.", 200) == ["Sure. Paris is the capital of France."]
    clause = "a clause of some length"
    long_sentence = ", ".join([clause] * 12) + "."
    parts = speech_parts(long_sentence, 100)
    assert all(len(part) <= 100 for part in parts) and all(part.endswith((",", ".")) for part in parts)
    assert speech_parts("x" * 450, 200) == ["x" * 200, "x" * 200, "x" * 50]


def test_english_is_told_from_other_languages() -> None:
    assert looks_english("Paris is the capital of France, and it has about two million people in it.")
    assert looks_english("Bonjour!")  # too short to judge: read
    assert not looks_english("Paris est la capitale de la France. Elle compte environ deux millions d'habitants.")
    assert not looks_english("Berlin ist die Hauptstadt von Deutschland und hat viele Einwohner und Museen.")
    assert not looks_english("東京は日本の首都です。人口は約千四百万人です。")
    assert not looks_english("Москва — столица России, крупнейший город страны.")
