// The front desk's screen: the scan field stays ready for the next code, the hall
// picker applies at once, the desk PC's camera can read booking QR codes, and each
// result is brought into view and announced (on the member page too).
// The camera reader is the barcode-detector package (ZXing in WebAssembly), served
// from /static/vendor with its .wasm file: nothing is fetched from anywhere else.
(function () {
  "use strict";

  // Whatever the scroll, a new result (a scan, a camera read, a check-in button on the
  // board) comes into view, and the one live region, on the page since it loaded, says
  // it: a live region swapped in with the result would not be announced.
  var announcer = document.getElementById("scan-announcer");
  document.addEventListener("htmx:after:settle", function (event) {
    var result = event.target;
    if (!result || result.id !== "scan-result") return;
    var said = result.querySelector("#scan-message");
    if (announcer) {
      announcer.textContent = "";
      // Emptied first, so the same words twice (a second scan) are said twice.
      setTimeout(function () { announcer.textContent = said ? said.textContent.trim() : ""; }, 50);
    }
    result.scrollIntoView({ block: "nearest" });
  });

  var form = document.getElementById("scan-form");
  var field = document.getElementById("scan-code");
  if (!form || !field) return;

  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // After each scan the field is emptied and focused again, ready for the scanner.
  form.addEventListener("htmx:after:request", function () {
    field.value = "";
    field.focus();
  });

  var api = window.BarcodeDetectionAPI;
  var start = document.getElementById("camera-start");
  var stop = document.getElementById("camera-stop");
  var box = document.getElementById("camera");
  var video = document.getElementById("camera-video");
  var status = document.getElementById("camera-status");
  if (!api || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !start) return;

  api.prepareZXingModule({
    overrides: {
      locateFile: function (path, prefix) {
        return path.endsWith(".wasm") ? "/static/vendor/" + path : prefix + path;
      },
    },
  });

  var EVERY_MS = 250; // one look at a time, four a second at most
  var SAME_CODE_MS = 5000; // a code held up to the camera is sent once, not every look
  var detector = null;
  var stream = null;
  var timer = null;
  var last = { value: "", at: 0 };

  function show(running) {
    box.hidden = !running;
    start.hidden = running;
    stop.hidden = !running;
  }

  async function look() {
    timer = null;
    if (!stream) return;
    try {
      var codes = await detector.detect(video);
      var now = Date.now();
      for (var i = 0; i < codes.length; i++) {
        var value = codes[i].rawValue;
        if (value && (value !== last.value || now - last.at > SAME_CODE_MS)) {
          last = { value: value, at: now };
          field.value = value;
          form.requestSubmit();
          break;
        }
      }
    } catch (error) {
      status.textContent = String(error);
    }
    if (stream) timer = setTimeout(look, EVERY_MS);
  }

  async function begin() {
    try {
      detector = detector || new api.BarcodeDetector({ formats: ["qr_code"] });
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
    } catch (error) {
      status.textContent = start.dataset.failed || String(error);
      box.hidden = false;
      return;
    }
    video.srcObject = stream;
    await video.play();
    show(true);
    status.textContent = start.dataset.looking || "";
    timer = setTimeout(look, EVERY_MS);
  }

  function end() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
    show(false);
    field.focus();
  }

  start.hidden = false;
  start.addEventListener("click", begin);
  stop.addEventListener("click", end);
  window.addEventListener("pagehide", end);
})();
