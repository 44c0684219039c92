// Voice in the page (view/voice.py): a microphone that cannot work says why in one sentence, and
// Read aloud plays its parts one after the other, each as soon as the one before it ends.
(() => {
  if (window.__bnagptVoice) return;
  window.__bnagptVoice = true;

  const TYPE = " You can type your message instead.";
  const INSECURE = "The microphone works only on localhost or over HTTPS, and this page is at "
    + `${location.origin}: open bnaGPT at http://localhost:${location.port || 80} or behind HTTPS.${TYPE}`;
  const DENIED = "bnaGPT may not use your microphone: allow it for this site in the browser's site "
    + `settings (the icon left of the address), then press the microphone again.${TYPE}`;
  const MISSING = `No microphone was found: connect one, then press the microphone again.${TYPE}`;
  const BUSY = `The microphone could not be started (another app may be using it).${TYPE}`;

  const ALERT_ID = "bnagpt-voice-alert";
  const hideAlert = () => document.getElementById(ALERT_ID)?.remove();
  const showAlert = (text) => {
    let alert = document.getElementById(ALERT_ID);
    if (!alert) {
      alert = document.createElement("div");
      alert.id = ALERT_ID;
      alert.setAttribute("role", "alert");
      alert.dataset.testid = "bnagptVoiceAlert";
      document.body.appendChild(alert);
    }
    const box = document.querySelector('[data-testid="stChatInput"]')?.getBoundingClientRect();
    alert.style.bottom = `${box ? window.innerHeight - box.top + 8 : 96}px`;
    if (box) {
      alert.style.left = `${box.left}px`;
      alert.style.width = `${box.width}px`;
    }
    alert.textContent = text;
  };

  // Without a secure context the browser has no microphone at all: say so rather than fail silently.
  document.addEventListener("click", (event) => {
    if (!event.target.closest?.('[data-testid="stChatInputMicButton"]')) return;
    if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
      event.preventDefault();
      event.stopPropagation();
      showAlert(INSECURE);
    }
  }, true);
  document.addEventListener("keydown", (event) => {
    if (event.target.closest?.('[data-testid="stChatInput"]')) hideAlert();
  }, true);

  // Every request for the microphone goes through here, so a refusal is explained whoever asked.
  const media = navigator.mediaDevices;
  if (window.isSecureContext && media?.getUserMedia) {
    const ask = media.getUserMedia.bind(media);
    media.getUserMedia = (constraints) => ask(constraints).then((stream) => {
      hideAlert();
      return stream;
    }, (error) => {
      const name = error?.name || "";
      if (name === "NotAllowedError" || name === "PermissionDeniedError" || name === "SecurityError") showAlert(DENIED);
      else if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") showAlert(MISSING);
      else showAlert(BUSY);
      throw error;
    });
  }

  // Read aloud: the parts of one answer sit in one container, in order.
  const READER = '[class*="st-key-voice-read-"]';
  const play = (audio) => audio.play().catch(() => {});
  document.addEventListener("ended", (event) => {
    const audio = event.target;
    const box = audio instanceof HTMLAudioElement && audio.closest(READER);
    if (!box) return;
    const parts = [...box.querySelectorAll("audio")];
    const next = parts[parts.indexOf(audio) + 1];
    if (next) play(next);
    else box.dataset.bnagptWaiting = String(parts.length); // the next part has not arrived yet
  }, true);
  new MutationObserver(() => {
    for (const box of document.querySelectorAll(`${READER}[data-bnagpt-waiting]`)) {
      const parts = box.querySelectorAll("audio");
      const waited = Number(box.dataset.bnagptWaiting);
      if (parts.length > waited) {
        delete box.dataset.bnagptWaiting;
        play(parts[waited]);
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
})();
