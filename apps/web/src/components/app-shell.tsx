/**
 * The signed-in frame: a header with the property switcher and the account menu, and a navigation that collapses
 * behind a burger on phones. Links to screens the user may not read are not shown at all.
 */

import type { Entity } from "@keyward/domain/permissions";
import { AppShell, Avatar, Burger, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton } from "@mantine/core";
import { useDisclosure, useMediaQuery } from "@mantine/hooks";
import type { ReactNode } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { mayReadAlerts } from "../alerts.ts";
import { ROLE_LABELS } from "../labels.ts";
import { useSession } from "../session.tsx";
import { AlertBell, AlertToasts, OpenAlertsBadge } from "./alert-bell.tsx";
import { Logo } from "./logo.tsx";
import { PropertySwitcher } from "./property-switcher.tsx";

interface NavItem {
  to: string;
  label: string;
  /** What the screen lists; the link shows only to users who may read it somewhere. */
  entity: Entity | null;
  /** Shown at the link's right (the open alerts' count). */
  badge?: ReactNode;
}

const NAV: { group: string; items: NavItem[] }[] = [
  {
    group: "Overview",
    items: [
      { to: "/", label: "Home", entity: null },
      { to: "/keys-out", label: "Keys out", entity: "checkout" },
      { to: "/activity", label: "Activity", entity: "event" },
      { to: "/alerts", label: "Alerts", entity: "alert", badge: <OpenAlertsBadge /> },
      { to: "/alerts/rules", label: "Alert rules", entity: "alertRule" },
      { to: "/reports", label: "Reports", entity: "report" },
      { to: "/reports/schedules", label: "Report schedules", entity: "reportSchedule" },
    ],
  },
  {
    group: "Keys",
    items: [
      { to: "/keys", label: "Keys", entity: "key" },
      { to: "/key-map", label: "Key map", entity: "key" },
      { to: "/key-sets", label: "Key sets", entity: "keySet" },
      { to: "/cabinets", label: "Cabinets", entity: "cabinet" },
    ],
  },
  {
    group: "Sites",
    items: [
      { to: "/properties", label: "Properties", entity: "property" },
      { to: "/buildings", label: "Buildings", entity: "building" },
      { to: "/units", label: "Units", entity: "unit" },
    ],
  },
  {
    group: "People and access",
    items: [
      { to: "/people", label: "People", entity: "person" },
      { to: "/users", label: "Logins and roles", entity: "user" },
      { to: "/access-profiles", label: "Access profiles", entity: "accessProfile" },
      { to: "/holiday-calendars", label: "Holiday calendars", entity: "holidayCalendar" },
    ],
  },
  {
    group: "Administration",
    items: [
      { to: "/reason-codes", label: "Reason codes", entity: "reasonCode" },
      { to: "/import", label: "Import and export", entity: "import" },
      { to: "/organization", label: "Organization", entity: "organization" },
      { to: "/audit", label: "Audit trail", entity: "auditTrail" },
      { to: "/settings/webhooks", label: "Webhooks", entity: "webhookEndpoint" },
    ],
  },
];

function useVisible(): (entity: Entity | null) => boolean {
  const session = useSession();
  return (entity) => {
    if (entity === null) {
      return true;
    }
    if (entity === "auditTrail" || entity === "webhookEndpoint") {
      // why: property roles list the trail in their matrix, but only an organization-wide role may read it; webhooks
      // carry every property's alerts, so they are organization business too
      return session.can("read", entity, null);
    }
    if (entity === "import") {
      return (
        session.propertiesWhere("create", "import").length > 0 || session.propertiesWhere("read", "unit").length > 0
      );
    }
    return session.can("read", entity, null) || session.propertiesWhere("read", entity).length > 0;
  };
}

function isActive(pathname: string, to: string): boolean {
  if (to === "/") {
    return pathname === "/";
  }
  const within = (path: string) => pathname === path || pathname.startsWith(`${path}/`);
  // why: a screen below another with its own link ("/alerts/rules" under "/alerts") lights its own link only
  const deeper = NAV.flatMap((g) => g.items).some((i) => i.to !== to && i.to.startsWith(`${to}/`) && within(i.to));
  return within(to) && !deeper;
}

function AccountMenu() {
  const session = useSession();
  const { me, signOut } = session;
  const alerts = mayReadAlerts(session);
  const navigate = useNavigate();
  const initials = `${me.person.firstName.charAt(0)}${me.person.lastName.charAt(0)}`.toUpperCase();
  const roles = [...new Set([...me.organizationRoles, ...me.properties.flatMap((p) => p.roles)])];
  return (
    <Menu position="bottom-end" width={260} shadow="md">
      <Menu.Target>
        <UnstyledButton aria-label={`Account of ${me.person.firstName} ${me.person.lastName}`}>
          <Avatar color="blue" radius="xl" size={34}>
            {initials}
          </Avatar>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="sm" fw={600} c="dark">
            {me.person.firstName} {me.person.lastName}
          </Text>
          <Text size="xs">{me.user.email}</Text>
          <Text size="xs">{roles.map((r) => ROLE_LABELS[r]).join(", ")}</Text>
        </Menu.Label>
        <Menu.Divider />
        <Menu.Item onClick={() => navigate("/account")}>Account and two-step sign-in</Menu.Item>
        {alerts && <Menu.Item onClick={() => navigate("/account/notifications")}>My notifications</Menu.Item>}
        <Menu.Item color="red" onClick={() => void signOut()}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export function AppShellLayout({ children }: { children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const { pathname } = useLocation();
  const session = useSession();
  const { me } = session;
  const alerts = mayReadAlerts(session);
  const visible = useVisible();
  const phone = useMediaQuery("(max-width: 48em)") ?? false;

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 250, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding={{ base: "sm", sm: "lg" }}
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="xs" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? "Close navigation" : "Open navigation"}
            />
            <Link to="/" style={{ display: "flex", alignItems: "center", gap: 8, textDecoration: "none" }}>
              <Logo size={28} />
              <Text fw={700} fz="lg" c="dark" visibleFrom="xs">
                Keyward
              </Text>
            </Link>
            <Text c="dimmed" size="sm" visibleFrom="md" truncate maw={260}>
              {me.organization.name}
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {alerts && <AlertBell />}
            <PropertySwitcher />
            <AccountMenu />
          </Group>
        </Group>
      </AppShell.Header>
      {/* why: off-screen links must not take keyboard focus while the phone menu is closed */}
      <AppShell.Navbar p="xs" aria-label="Main navigation" inert={phone && !opened}>
        <AppShell.Section grow component={ScrollArea}>
          {NAV.map((section) => {
            const items = section.items.filter((i) => visible(i.entity));
            if (items.length === 0) {
              return null;
            }
            return (
              <div key={section.group}>
                <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="sm" pb={2}>
                  {section.group}
                </Text>
                {items.map((item) => (
                  <NavLink
                    key={item.to}
                    component={Link}
                    to={item.to}
                    label={item.label}
                    rightSection={item.badge}
                    active={isActive(pathname, item.to)}
                    aria-current={isActive(pathname, item.to) ? "page" : undefined}
                    py={6}
                    style={{ borderRadius: 6 }}
                    // why: on a phone the menu covers the screen; choosing a page must reveal it
                    onClick={close}
                  />
                ))}
              </div>
            );
          })}
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main bg="gray.0">{children}</AppShell.Main>
      {alerts && <AlertToasts />}
    </AppShell>
  );
}
