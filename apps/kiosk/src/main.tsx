/** The kiosk's entry: a high-contrast, large-type Mantine theme around the app. */
import "@mantine/core/styles.css";
import "./kiosk.css";
import { Button, createTheme, MantineProvider } from "@mantine/core";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.tsx";

const theme = createTheme({
  primaryColor: "blue",
  // why: white on the default blue-6 is under 4.5:1; shade 8 keeps every filled button at WCAG AA
  primaryShade: 8,
  defaultRadius: "md",
  fontFamily: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif",
  headings: { fontWeight: "750" },
  components: {
    // why: labels wrap instead of being cut off in Spanish, whose words run longer
    Button: Button.extend({ styles: { label: { whiteSpace: "normal", textAlign: "center", lineHeight: 1.15 } } }),
  },
});

const root = document.getElementById("root");
if (!root) {
  throw new Error("index.html has no #root element");
}
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <App />
    </MantineProvider>
  </StrictMode>,
);
