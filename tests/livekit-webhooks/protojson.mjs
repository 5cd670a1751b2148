// Writes a protobuf-es message the way LiveKit's Go server writes webhooks (protojson.Marshal): fields in .proto
// declaration order, map keys sorted, 64-bit integers as strings, enums as names, zero values left out, one line.
// protobuf-es alone writes fields in field-number order, so its JSON object is re-ordered here and written by hand.

class Ordered {
  constructor(entries) {
    this.entries = entries;
  }
}

function order(type, json) {
  const entries = [];
  for (const field of type.fields.list()) {
    if (!(field.jsonName in json)) continue;
    const value = json[field.jsonName];
    entries.push([field.jsonName, orderField(field, value)]);
  }
  return new Ordered(entries);
}

function orderField(field, value) {
  const isMessage = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (field.kind === 'message') {
    const one = (v) => (isMessage(v) ? order(field.T, v) : v);
    return field.repeated ? value.map(one) : one(value);
  }
  if (field.kind === 'map') {
    const keys = Object.keys(value).sort();
    const mapped = keys.map((k) => [k, field.V.kind === 'message' && isMessage(value[k]) ? order(field.V.T, value[k]) : value[k]]);
    return new Ordered(mapped);
  }
  return value;
}

function write(value, separator) {
  if (value instanceof Ordered) {
    return '{' + value.entries.map(([k, v]) => JSON.stringify(k) + ':' + write(v, separator)).join(separator) + '}';
  }
  if (Array.isArray(value)) {
    return '[' + value.map((v) => write(v, separator)).join(separator) + ']';
  }
  return JSON.stringify(value);
}

// A given Go server build writes either "," or ", " between members (protobuf-go's detrand); both are real.
export function marshal(message, { spaced = false } = {}) {
  return write(order(message.getType(), message.toJson()), spaced ? ', ' : ',');
}
