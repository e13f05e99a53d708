/** The dashboard's entry: providers (theme, data cache, notifications, router) around the app. */
import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import { Badge, createTheme, MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { ApiError } from "./api.ts";
import { App } from "./app.tsx";

const theme = createTheme({
  primaryColor: "blue",
  defaultRadius: "md",
  fontFamily: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif",
  headings: { fontWeight: "650" },
  components: {
    // why: in narrow table cells a badge must not shrink into "ACTI…"; sentence case reads faster than capitals
    Badge: Badge.extend({ styles: { root: { minWidth: "max-content", textTransform: "none", fontWeight: 600 } } }),
  },
});

// why: a session can end under an open screen (idle timeout, deactivation); any 401 then returns to sign-in
function onUnauthenticated(error: Error): void {
  if (error instanceof ApiError && error.status === 401 && error.code === "unauthenticated") {
    queryClient.setQueryData(["me"], null);
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" && q.queryKey[0] !== "setup" });
  }
}

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onUnauthenticated }),
  mutationCache: new MutationCache({ onError: onUnauthenticated }),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      // why: a 4xx will answer the same again; only network trouble and 5xx deserve a retry
      retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

const root = document.getElementById("root");
if (!root) {
  throw new Error("index.html has no #root element");
}
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <Notifications position="top-right" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
