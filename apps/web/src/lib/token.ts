/** The operator's API token, kept in this browser only; a development server needs none. */
const STORAGE_KEY = "teleops.token";

export function readToken(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be disabled (private mode, strict policies); the SPA then runs without a token.
    return null;
  }
}

export function saveToken(token: string): void {
  try {
    if (token.trim() === "") window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, token.trim());
  } catch {
    // Nothing to do: without storage the token cannot outlive the page.
  }
}
