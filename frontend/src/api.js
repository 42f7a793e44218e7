// Small fetch wrapper for the JSON endpoints of docs/WEB-CONTRACT.md.
// Every POST carries Django's CSRF token; every failure becomes an ApiError whose message is the
// server's {"error": ...} text when there is one, so callers can show it to the student as-is.

export class ApiError extends Error {
  /**
   * @param {string} message  text for the student
   * @param {number} status   HTTP status, 0 when the request never reached the server
   * @param {object|null} data parsed JSON body, if any
   */
  constructor(message, status, data = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.data = data;
  }

  /** True when trying again later may succeed (offline, server hiccup, rate limit). */
  get retryable() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** Django's default CSRF cookie (CSRF_COOKIE_HTTPONLY=False per the contract). */
export function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "csrftoken") return decodeURIComponent(rest.join("="));
  }
  return "";
}

async function request(url, { method = "GET", body, keepalive = false } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin", keepalive };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();

  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new ApiError(String(err && err.message ? err.message : err), 0);
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null; // an HTML error page from a proxy: keep the status, drop the body
    }
  }
  if (!response.ok) {
    const message = data && typeof data.error === "string" ? data.error : `HTTP ${response.status}`;
    throw new ApiError(message, response.status, data);
  }
  return { status: response.status, data: data ?? {} };
}

export const getJson = (url) => request(url);
export const postJson = (url, body, options = {}) =>
  request(url, { method: "POST", body, keepalive: Boolean(options.keepalive) });
