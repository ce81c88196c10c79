// A connection URL as it may be printed or logged: its password replaced by "***" (the user name,
// host, port, path and query stay, so a reader can tell which server is meant). The one URL
// redactor: the history store's errors and `pipewatch start`'s RabbitMQ line use it. Pure: the
// WHATWG URL parser is a global in Node and in the workflow sandbox alike.

/** `url` without its password; a text that is not a URL is not echoed (it may be a secret itself). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
