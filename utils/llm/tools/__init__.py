"""The agent's tools: web search and page reading as function tools (`web_tools.py`, over the
providers in `search.py` and the safe fetcher in `fetch.py`), Groq's built-in code_interpreter
(`calls.py`), and the steps a person sees (`steps.py`)."""
