# The outbox (see 0005) now holds every email: registrant notifications, reminder deliveries
# and the invitation email claim go.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0005_emails_to_the_outbox'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='invitation',
            name='emailed_at',
        ),
        migrations.DeleteModel(
            name='Notification',
        ),
        migrations.DeleteModel(
            name='ReminderDelivery',
        ),
    ]
