/** An address the dashboard has no screen for. */
import { Button, Stack, Text } from "@mantine/core";
import { Link } from "react-router";
import { Page } from "../components/page.tsx";

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <Stack align="flex-start">
        <Text>There is no page at this address. It may have moved, or the link may be mistyped.</Text>
        <Button component={Link} to="/">
          Go to the home page
        </Button>
      </Stack>
    </Page>
  );
}
