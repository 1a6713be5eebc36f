import { describe, expect, it } from "vitest";
import { checkBaseURL } from "./base-url-allow-list.js";

const check = (url: string, allowed: string[]) => {
  try {
    return checkBaseURL(url, allowed, "api_base");
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe("checkBaseURL", () => {
  it("matches host and port; an entry without a port means the scheme's default port", () => {
    expect(check("http://10.0.0.5/v1", ["10.0.0.5"])).toBe("http://10.0.0.5/v1");
    expect(check("https://10.0.0.5/v1/", ["10.0.0.5"])).toBe("https://10.0.0.5/v1");
    expect(check("http://10.0.0.5:80/v1", ["10.0.0.5"])).toBe("http://10.0.0.5:80/v1");
    expect(check("http://10.0.0.5:22/", ["10.0.0.5"])).toBe("base_url_not_allowed");
    expect(check("http://10.0.0.5:8000/v1", ["10.0.0.5:8000"])).toBe("http://10.0.0.5:8000/v1");
    expect(check("http://10.0.0.5:8001/v1", ["10.0.0.5:8000"])).toBe("base_url_not_allowed");
    expect(check("https://10.0.0.5/v1", ["10.0.0.5:80"])).toBe("base_url_not_allowed");
    expect(check("http://[::1]:8000/v1", ["[::1]:8000"])).toBe("http://[::1]:8000/v1");
    expect(check("http://VLLM.internal:8000", ["vllm.internal:8000"])).toBe("http://VLLM.internal:8000");
    expect(check("http://169.254.169.254/latest", ["10.0.0.5"])).toBe("base_url_not_allowed");
  });

  it("allows only http and https, whatever the host", () => {
    for (const scheme of ["ftp", "gopher", "ws", "wss", "file", "data"])
      expect(check(`${scheme}://10.0.0.5/v1`, ["10.0.0.5", "10.0.0.5:21", "10.0.0.5:70"])).toBe(
        "base_url_not_allowed",
      );
    expect(check("not a url", ["10.0.0.5"])).toBe("invalid_request");
  });
});
