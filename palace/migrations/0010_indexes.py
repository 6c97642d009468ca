from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_hardening')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Booking',
            index=Index(fields=['member_id', 'starts_at']),
        ),
        ops.AddIndex(
            model_name='Booking',
            index=Index(fields=['facility_id', 'starts_at']),
        ),
        ops.AddIndex(
            model_name='Booking',
            index=Index(fields=['resource_id', 'starts_at']),
        ),
        ops.AddIndex(
            model_name='Booking',
            index=Index(fields=['slot_id', 'status']),
        ),
        ops.AddIndex(
            model_name='BookingPartner',
            index=Index(fields=['member_id']),
        ),
        ops.AddIndex(
            model_name='Child',
            index=Index(fields=['parent_id']),
        ),
        ops.AddIndex(
            model_name='ClassSession',
            index=Index(fields=['room_id', 'starts_at']),
        ),
        ops.AddIndex(
            model_name='Closure',
            index=Index(fields=['facility_id', 'starts_at']),
        ),
        ops.AddIndex(
            model_name='LoginSession',
            index=Index(fields=['member_id']),
        ),
        ops.AddIndex(
            model_name='PartnerInvitation',
            index=Index(fields=['member_id']),
        ),
        ops.AddIndex(
            model_name='RoomHold',
            index=Index(fields=['booking_id']),
        ),
        ops.AddIndex(
            model_name='RoomHold',
            index=Index(fields=['slot_id']),
        ),
        ops.AddIndex(
            model_name='Schedule',
            index=Index(fields=['room_id']),
        ),
        ops.AddIndex(
            model_name='Suspension',
            index=Index(fields=['member_id']),
        ),
    ]
