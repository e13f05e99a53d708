/** Keyward's mark: a key, drawn inline so the kiosk ships no image files. */
export function Logo({ size = 32 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <rect width="24" height="24" rx="6" fill="var(--mantine-color-blue-7)" />
      <circle cx="9" cy="14.5" r="3.6" fill="none" stroke="#fff" strokeWidth="2" />
      <path
        d="M11.6 11.9 18 5.5m-2.6 2.6 1.8 1.8m-3.6 0 1.5 1.5"
        fill="none"
        stroke="#fff"
        strokeWidth="2"
        strokeLinecap="round"
      />
    </svg>
  );
}
