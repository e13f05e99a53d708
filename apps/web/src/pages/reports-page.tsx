/**
 * The reports (`/reports`): a card per report of the catalog, saying what it answers and whether it covers a period
 * or shows the present moment. Each opens the report for the property chosen in the header.
 */
import { Alert, Anchor, Badge, Group, Paper, SimpleGrid, Skeleton, Text } from "@mantine/core";
import { Link } from "react-router";
import { Page } from "../components/page.tsx";
import { useReportCatalog } from "../queries.ts";
import { useSession } from "../session.tsx";

export function ReportsPage() {
  const session = useSession();
  const catalog = useReportCatalog();
  return (
    <Page
      title="Reports"
      description={`${session.property ? session.property.name : "All properties you may see"} · on screen, CSV, PDF and print`}
    >
      {catalog.isError ? (
        <Alert color="red" title="Could not load the reports">
          {catalog.error.message}
        </Alert>
      ) : (
        <SimpleGrid
          cols={{ base: 1, sm: 2, lg: 3 }}
          spacing="sm"
          component="ul"
          p={0}
          m={0}
          style={{ listStyle: "none" }}
        >
          {catalog.data
            ? catalog.data.map((item) => (
                <Paper key={item.name} component="li" withBorder p="md" radius="md">
                  <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
                    <Anchor component={Link} to={`/reports/${item.name}`} fw={700} fz="lg">
                      {item.title}
                    </Anchor>
                    <Badge variant="light" color={item.periodic ? "blue" : "teal"}>
                      {item.periodic ? "Over a period" : "Right now"}
                    </Badge>
                  </Group>
                  <Text size="sm" c="gray.7" mt={6}>
                    {item.description}
                  </Text>
                </Paper>
              ))
            : [1, 2, 3].map((n) => <Skeleton key={n} h={110} radius="md" component="li" />)}
        </SimpleGrid>
      )}
    </Page>
  );
}
