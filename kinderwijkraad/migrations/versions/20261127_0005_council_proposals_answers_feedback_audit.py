"""council proposals answers feedback audit

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 07:19:19.367393
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('auditentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_auditentry_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_auditentry_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auditentry'))
    )
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditentry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditentry_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('installation',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('alderman_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('alderman_title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('installed_on', sa.Date(), nullable=True),
    sa.Column('venue', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('programme', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_installation_cycle_id_cycle')),
    sa.PrimaryKeyConstraint('cycle_id', name=op.f('pk_installation'))
    )
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('agenda', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('minutes', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('decisions', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_meeting_cycle_id_cycle')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting'))
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('feedbackshare',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('classroom_id', sa.Integer(), nullable=False),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('shared_by', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['classroom_id'], ['classroom.id'], name=op.f('fk_feedbackshare_classroom_id_classroom')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_feedbackshare_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['shared_by'], ['user.id'], name=op.f('fk_feedbackshare_shared_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedbackshare'))
    )
    with op.batch_alter_table('feedbackshare', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedbackshare_classroom_id'), ['classroom_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedbackshare_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('workitem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('next_action', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('status', sa.Enum('todo', 'doing', 'done', name='workstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_workitem_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_workitem_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_workitem_theme_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workitem')),
    sa.UniqueConstraint('cycle_id', 'theme_id', name=op.f('uq_workitem_cycle_id_theme_id'))
    )
    with op.batch_alter_table('workitem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workitem_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('poll_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('problem', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('place_owner', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('idea', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('beneficiaries', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('children_contribution', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('ask', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('cost_band', sa.Enum('unknown', 'low', 'medium', 'high', name='costband', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('contact_role', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_proposal_created_by_user')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_proposal_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['poll_id'], ['poll.id'], name=op.f('fk_proposal_poll_id_poll')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_proposal_theme_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal'))
    )
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_theme_id'), ['theme_id'], unique=False)

    op.create_table('councilmember',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('chair', 'secretary', 'member', name='councilrole', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_councilmember_candidate_id_candidate')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_councilmember_cycle_id_cycle')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_councilmember')),
    sa.UniqueConstraint('candidate_id', name=op.f('uq_councilmember_candidate_id'))
    )
    with op.batch_alter_table('councilmember', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_councilmember_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('concept', 'sent', 'in_progress', 'answered', 'done', name='recipientstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reply_by', sa.Date(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('in_progress_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.Enum('accepted', 'partly', 'rejected', name='decision', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('reasons', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('next_step', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('answer_contact', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('answered_by', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('answer_source', sa.Enum('account', 'link', 'entered', name='answersource', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('answer_revision', sa.Integer(), nullable=False),
    sa.Column('child_answer', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('child_next', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.CheckConstraint("(decision IS NULL) = (status IN ('concept', 'sent', 'in_progress'))", name=op.f('ck_recipient_answer_with_decision')),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_recipient_contact_id_contact')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_recipient_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_recipient_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recipient')),
    sa.UniqueConstraint('proposal_id', 'organisation_id', name=op.f('uq_recipient_proposal_id_organisation_id'))
    )
    with op.batch_alter_table('recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recipient_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recipient_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('attendance',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_attendance_meeting_id_meeting')),
    sa.ForeignKeyConstraint(['member_id'], ['councilmember.id'], name=op.f('fk_attendance_member_id_councilmember')),
    sa.PrimaryKeyConstraint('meeting_id', 'member_id', name=op.f('pk_attendance'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_member_id'), ['member_id'], unique=False)

    op.create_table('proposalplan',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_proposalplan_plan_id_plan')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposalplan_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('proposal_id', 'plan_id', name=op.f('pk_proposalplan'))
    )
    with op.batch_alter_table('proposalplan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposalplan_plan_id'), ['plan_id'], unique=False)

    op.create_table('replylink',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_replylink_created_by_user')),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipient.id'], name=op.f('fk_replylink_recipient_id_recipient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replylink')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_replylink_token_hash'))
    )
    with op.batch_alter_table('replylink', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replylink_recipient_id'), ['recipient_id'], unique=False)

    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent', sa.Enum('pending', 'given', 'refused', name='consent', native_enum=False, create_constraint=True), nullable=False, server_default='pending'))
        batch_op.add_column(sa.Column('consent_recorded_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_candidate_consent'), type_='check')
        batch_op.drop_column('consent_recorded_at')
        batch_op.drop_column('consent')

    with op.batch_alter_table('replylink', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replylink_recipient_id'))

    op.drop_table('replylink')
    with op.batch_alter_table('proposalplan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposalplan_plan_id'))

    op.drop_table('proposalplan')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_member_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recipient_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_recipient_organisation_id'))

    op.drop_table('recipient')
    with op.batch_alter_table('councilmember', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_councilmember_cycle_id'))

    op.drop_table('councilmember')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_theme_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_cycle_id'))

    op.drop_table('proposal')
    with op.batch_alter_table('workitem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workitem_cycle_id'))

    op.drop_table('workitem')
    with op.batch_alter_table('feedbackshare', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedbackshare_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_feedbackshare_classroom_id'))

    op.drop_table('feedbackshare')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_cycle_id'))

    op.drop_table('meeting')
    op.drop_table('installation')
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditentry_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_auditentry_at'))

    op.drop_table('auditentry')
