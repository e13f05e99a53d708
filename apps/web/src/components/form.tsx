/**
 * Form state and server errors, shared by every form: the server validates, and its field errors appear next to the
 * field they name; an error no field claims appears above the buttons, so nothing the server says is ever lost.
 */
import {
  Alert,
  Button,
  Fieldset,
  Group,
  List,
  NumberInput,
  type NumberInputProps,
  Select,
  TextInput,
  type TextInputProps,
} from "@mantine/core";
import { createContext, type FormEvent, type ReactNode, useCallback, useContext, useRef, useState } from "react";
import { ApiError } from "../api.ts";

/** "windows[0].end" (domain checks) and "windows.0.end" (schema checks) name the same field. */
export function normalizeField(field: string): string {
  return field.replace(/\[(\d+)\]/g, ".$1");
}

function stripPrefix(message: string, field: string): string {
  for (const prefix of [`${field}: `, `${normalizeField(field)}: `]) {
    if (message.startsWith(prefix)) {
      return message.slice(prefix.length);
    }
  }
  return message;
}

/** The field-level messages of an error, by normalized field. */
function fieldMessages(error: ApiError | null): Map<string, string> {
  const messages = new Map<string, string>();
  if (!error) {
    return messages;
  }
  for (const detail of error.details) {
    if (detail.field && detail.row === undefined) {
      messages.set(normalizeField(detail.field), stripPrefix(detail.message, detail.field));
    }
  }
  if (error.field) {
    // why: a uniqueness conflict names several fields ("cabinetId,hookNumber"); show it on the last one
    const parts = error.field.split(",");
    const last = parts[parts.length - 1] ?? error.field;
    messages.set(normalizeField(last), stripPrefix(error.message, error.field));
  }
  return messages;
}

export interface FormApi<V> {
  values: V;
  set: <K extends keyof V>(key: K, value: V[K]) => void;
  replace: (values: V) => void;
  submitting: boolean;
  error: ApiError | null;
  /** The server's (or the local check's) message for a field, to pass as an input's `error`. */
  errorFor: (field: string) => string | undefined;
  /** Messages no rendered field claimed. */
  unclaimed: () => string[];
  onSubmit: (event?: FormEvent) => void;
}

export interface FormOptions<V, R> {
  initial: V;
  submit: (values: V) => Promise<R>;
  onSuccess?: (result: R, values: V) => void;
  /** Checks that need no server (a window's end after its start): field → message. */
  check?: (values: V) => Record<string, string>;
}

/** A form's values, submission and errors. */
export function useApiForm<V, R = unknown>(options: FormOptions<V, R>): FormApi<V> {
  const [values, setValues] = useState<V>(options.initial);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const claimed = useRef(new Set<string>());
  // why: fields claim their messages while rendering; starting each render afresh keeps the set current
  claimed.current = new Set();
  const optionsRef = useRef(options);
  optionsRef.current = options;

  const server = fieldMessages(error);
  const errorFor = (field: string) => {
    const key = normalizeField(field);
    claimed.current.add(key);
    return local[key] ?? server.get(key);
  };
  const unclaimed = () => {
    const out: string[] = Object.entries(local)
      .filter(([k]) => !claimed.current.has(k))
      .map(([, m]) => m);
    if (error) {
      const fieldsOfError = [...server.keys()];
      const anyClaimed = fieldsOfError.some((f) => claimed.current.has(f));
      if (!anyClaimed) {
        out.push(error.message);
      } else {
        for (const [k, m] of server) {
          if (!claimed.current.has(k)) {
            out.push(`${k}: ${m}`);
          }
        }
      }
    }
    return out;
  };

  const set = useCallback(<K extends keyof V>(key: K, value: V[K]) => {
    setValues((prev) => ({ ...prev, [key]: value }));
  }, []);

  const onSubmit = (event?: FormEvent) => {
    event?.preventDefault();
    const { submit, onSuccess, check } = optionsRef.current;
    const problems = check?.(values) ?? {};
    const normalized = Object.fromEntries(Object.entries(problems).map(([k, m]) => [normalizeField(k), m]));
    setLocal(normalized);
    if (Object.keys(normalized).length > 0) {
      setError(null);
      return;
    }
    setSubmitting(true);
    setError(null);
    submit(values)
      .then((result) => {
        setSubmitting(false);
        onSuccess?.(result, values);
      })
      .catch((caught: unknown) => {
        setSubmitting(false);
        setError(
          caught instanceof ApiError
            ? caught
            : new ApiError(0, "internal", caught instanceof Error ? caught.message : String(caught)),
        );
      });
  };

  return { values, set, replace: setValues, submitting, error, errorFor, unclaimed, onSubmit };
}

/** Errors no field showed. Render it after the form's fields. */
export function FormAlert<V>({ form }: { form: FormApi<V> }) {
  const messages = form.unclaimed();
  if (messages.length === 0) {
    return null;
  }
  return (
    <Alert color="red" title="Not saved" role="alert">
      {messages.length === 1 ? (
        messages[0]
      ) : (
        <List size="sm">
          {messages.map((m) => (
            <List.Item key={m}>{m}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

const ReadOnly = createContext(false);

/**
 * Shows a form to someone who may only read the record: every input disabled and no buttons, so the same screen
 * serves both and buttons the user may not use are not there.
 */
export function Editable({ allowed, children }: { allowed: boolean; children: ReactNode }) {
  return (
    <ReadOnly.Provider value={!allowed}>
      <Fieldset disabled={!allowed} variant="unstyled" p={0} m={0}>
        {children}
      </Fieldset>
    </ReadOnly.Provider>
  );
}

/** The form's submit (and optional cancel) buttons; none in a read-only form. */
export function FormButtons<V>({
  form,
  label,
  onCancel,
  extra,
}: {
  form: FormApi<V>;
  label: string;
  onCancel?: () => void;
  extra?: ReactNode;
}) {
  if (useContext(ReadOnly)) {
    return null;
  }
  return (
    <Group justify="flex-end" mt="md">
      {extra}
      {onCancel && (
        <Button variant="default" onClick={onCancel} disabled={form.submitting}>
          Cancel
        </Button>
      )}
      <Button type="submit" loading={form.submitting}>
        {label}
      </Button>
    </Group>
  );
}

/** The fields of a form's values that hold a `T`. */
type FieldsOf<V, T> = { [K in keyof V]-?: V[K] extends T ? K : never }[keyof V] & string;

interface Bound<V, T> {
  form: FormApi<V>;
  /** The value the input shows and sets. */
  field: FieldsOf<V, T>;
  /** The field the server names in its errors, when it is not `field` (e.g. "settings.pinMinLength"). */
  errorField?: string;
}

/** A TextInput bound to a text field of the form: its value, its changes and the server's message for it. */
export function TextField<V>({
  form,
  field,
  errorField,
  ...input
}: Bound<V, string> & Omit<TextInputProps, "value" | "onChange" | "error" | "form">) {
  return (
    <TextInput
      {...input}
      // why: `field` only names text fields (FieldsOf), which TypeScript cannot carry through V[K]
      value={form.values[field] as string}
      onChange={(e) => form.set(field, e.currentTarget.value as V[typeof field])}
      error={form.errorFor(errorField ?? field)}
    />
  );
}

/** A NumberInput bound to a number field of the form, which holds the number or the text being typed. */
export function NumberField<V>({
  form,
  field,
  errorField,
  ...input
}: Bound<V, number | string> & Omit<NumberInputProps, "value" | "onChange" | "error" | "form">) {
  return (
    <NumberInput
      {...input}
      // why: as in TextField, `field` only names fields that hold a number or its text
      value={form.values[field] as number | string}
      onChange={(n) => form.set(field, n as V[typeof field])}
      error={form.errorFor(errorField ?? field)}
    />
  );
}

/** "" → null for optional text fields, so clearing a field clears it on the server too. */
export function blankToNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** A NumberInput value (number or the text being typed) → number or null. */
export function numberOrNull(value: number | string | null | undefined): number | null {
  if (value === null || value === undefined || value === "") {
    return null;
  }
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Active or archived: archiving keeps a record and its history but takes it out of everyday lists. */
export function ArchiveSelect({
  value,
  onChange,
  error,
}: {
  value: "active" | "archived";
  onChange: (value: "active" | "archived") => void;
  error?: string | undefined;
}) {
  return (
    <Select
      label="Status"
      data={[
        { value: "active", label: "Active" },
        { value: "archived", label: "Archived" },
      ]}
      value={value}
      onChange={(s) => s && onChange(s === "archived" ? "archived" : "active")}
      allowDeselect={false}
      error={error}
    />
  );
}
