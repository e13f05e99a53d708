/** Creating an access profile, or one profile with the people who hold it and its history. */
import { notifications } from "@mantine/notifications";
import { useNavigate, useParams } from "react-router";
import { AccessProfileForm } from "../components/access-profile-form.tsx";
import { DetailLayout, Section } from "../components/detail-layout.tsx";
import { Editable } from "../components/form.tsx";
import { Page, QueryState } from "../components/page.tsx";
import { ProfileAssignmentsPanel } from "../components/profile-assignments-panel.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useRecord } from "../queries.ts";
import { useSession } from "../session.tsx";
import type { AccessProfile } from "../types.ts";

export function NewAccessProfilePage() {
  const navigate = useNavigate();
  return (
    <Page title="New access profile">
      <Section title="Profile">
        <AccessProfileForm profile={null} onSaved={(p) => navigate(`/access-profiles/${p.id}`)} />
      </Section>
    </Page>
  );
}

export function AccessProfilePage() {
  const { id = "" } = useParams();
  const session = useSession();
  const profile = useRecord<AccessProfile>("access-profiles", id);
  if (!profile.data) {
    return <QueryState error={profile.error} pending={profile.isPending} />;
  }
  const p = profile.data;
  return (
    <Page
      title={p.name}
      description={
        <>
          <StatusBadge status={p.status} /> {session.propertyName(p.propertyId)} · times in{" "}
          {session.zoneOf(p.propertyId)}
        </>
      }
    >
      <DetailLayout history={{ entityType: "accessProfile", entityId: p.id }}>
        <Section title="Profile">
          <Editable allowed={session.can("update", "accessProfile", p.propertyId)}>
            <AccessProfileForm
              key={p.updatedAt}
              profile={p}
              onSaved={() => notifications.show({ color: "green", message: "Profile saved." })}
            />
          </Editable>
        </Section>
        <Section title="People with this profile">
          <ProfileAssignmentsPanel profile={p} />
        </Section>
      </DetailLayout>
    </Page>
  );
}
