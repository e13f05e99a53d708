/** An in-app link that looks like a link and navigates without reloading. */
import { Anchor, type AnchorProps } from "@mantine/core";
import type { ReactNode } from "react";
import { Link } from "react-router";

export function AppLink({ to, children, ...rest }: AnchorProps & { to: string; children: ReactNode }) {
  return (
    <Anchor component={Link} to={to} inherit {...rest}>
      {children}
    </Anchor>
  );
}
