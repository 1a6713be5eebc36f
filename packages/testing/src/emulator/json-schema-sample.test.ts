import { describe, expect, it } from "vitest";
import { sampleFromSchema } from "./json-schema-sample.js";

const order = { type: "object", properties: { order: { type: "string" }, note: { type: "string" } } };

describe("sampleFromSchema", () => {
  it("reads a string argument out of the text after the property's name, as a model would", () => {
    // The demo's support agent: the tool is called with the order number, not the whole request.
    expect(sampleFromSchema(order, "use lookup_order for order 42 of alice")).toEqual({
      order: "42",
      note: "use lookup_order for order 42 of alice",
    });
  });

  it("keeps the whole text when the text does not name the property (lookup_order is not `order`)", () => {
    expect(sampleFromSchema(order, "call lookup_order now")).toEqual({
      order: "call lookup_order now",
      note: "call lookup_order now",
    });
    expect(sampleFromSchema({ type: "object", properties: { city: { type: "string" } } }, "Rome")).toEqual({
      city: "Rome",
    });
  });
});
