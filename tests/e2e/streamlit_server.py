"""Run the app with `streamlit run` on 127.0.0.1, as a person would, for browser tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from settings import LOCATION_NAMES, SETTING_NAMES

PROJECT_DIR = Path(__file__).resolve().parents[2]
ENTRY_PAGE = "Simple_Chatbot.py"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class StreamlitServer:
    """`streamlit run Simple_Chatbot.py --server.headless true` in a child process."""

    @staticmethod
    def environment(groq_base: str, groq_key: str | None, folder: Path) -> dict[str, str]:
        """Settings for an app that talks to the Groq at `groq_base` and keeps its files in `folder`."""
        env = {
            "GROQ_API_BASE": groq_base,
            "BNAGPT_CONVERSATIONS_DIR": str(folder / "conversations"),
            # Nonexistent files: the developer's own secrets.toml and .env never take part.
            "BNAGPT_SECRETS_FILE": str(folder / "secrets.toml"),
            "BNAGPT_DOTENV_FILE": str(folder / ".env"),
            "GROQ_MAX_RETRIES": "0",
            "GROQ_TIMEOUT": "10",
        }
        if groq_key:
            env["GROQ_API_KEY"] = groq_key
        return env

    def __init__(self, app_env: dict[str, str], log_path: Path, *, address: str | None = "127.0.0.1",
                 secrets_file: Path | None = None) -> None:
        self.app_env = app_env
        self.log_path = log_path
        self.address = address  # None: the project's .streamlit/config.toml decides
        # Streamlit's own secrets (the [auth] of accounts): this file only, never the developer's.
        self.secrets_file = secrets_file or log_path.parent / "streamlit-secrets.toml"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> StreamlitServer:
        """Start the server and return once `/_stcore/health` answers ok."""
        # The server gets only the settings a test passes, never the developer's own.
        env = {name: value for name, value in os.environ.items() if name not in (*SETTING_NAMES, *LOCATION_NAMES)}
        env.update(self.app_env)
        command = [
            sys.executable, "-m", "streamlit", "run", ENTRY_PAGE,
            "--server.headless", "true", "--server.port", str(self.port),
            "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
            "--secrets.files", str(self.secrets_file),
        ]
        if self.address is not None:
            command += ["--server.address", self.address]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_healthy(timeout)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.healthy():
                return
            try:
                # Waits for the process to exit, at most a tenth of a second: a crash ends the wait early.
                code = self.process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            raise RuntimeError(f"streamlit exited with {code} before it was healthy:\n{self.log_tail()}")
        self.stop()
        raise RuntimeError(f"streamlit was not healthy within {timeout:.0f} s:\n{self.log_tail()}")

    def healthy(self) -> bool:
        """True when the server answers its health check."""
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def log_tail(self, lines: int = 40) -> str:
        """The last lines the server printed."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> StreamlitServer:
        return self.start() if self.process is None else self

    def __exit__(self, *exc) -> None:
        self.stop()
